"""The Power BI side of the pipeline: the PBIP project in this folder, its offline checks
(powerbi.validate) and the dataset refresh client (powerbi.refresh)."""
