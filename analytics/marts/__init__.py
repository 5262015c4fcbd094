"""The analytics run on the warehouse, cut along its jobs: parameters, reading inputs, computing, typed writing, the run."""
