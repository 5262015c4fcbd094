"""The pipeline's side of the warehouse, on either engine: batches loaded and built through the
`etl` procedures (`load`), the pipeline lock (`lock`), what a run reports from the marts
(`reports`) and the ER diagram generated from `sql/schema` (`er_diagram`).

It sits beside `analytics` and `powerbi`, above the generic engine in `warehouse`.
"""
