-- cip_all_countries (SQL Server only): database role whose members see every country past the row-level security policy; put the pipeline's login and global readers in it.
CREATE ROLE cip_all_countries;
GO
