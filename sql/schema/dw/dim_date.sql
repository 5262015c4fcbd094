-- dw.dim_date: one row per calendar day; whole calendar years around the loaded invoice dates.
CREATE TABLE dw.dim_date
(
    date_key            INT             NOT NULL,
    calendar_date       DATE            NOT NULL,
    calendar_year       SMALLINT        NOT NULL,
    calendar_quarter    SMALLINT        NOT NULL,
    calendar_month      SMALLINT        NOT NULL,
    month_name          NVARCHAR(10)    NOT NULL,
    month_start         DATE            NOT NULL,
    year_month          NVARCHAR(7)     NOT NULL,
    day_of_month        SMALLINT        NOT NULL,
    iso_day_of_week     SMALLINT        NOT NULL,
    day_name            NVARCHAR(10)    NOT NULL,
    is_weekend          BIT             NOT NULL,
    batch_id            BIGINT          NOT NULL,
    CONSTRAINT PK_dw_dim_date PRIMARY KEY CLUSTERED (date_key),
    CONSTRAINT UQ_dw_dim_date_calendar_date UNIQUE NONCLUSTERED (calendar_date)
);
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Calendar: one row per day, date_key = yyyymmdd. Rows are only ever added (insert-if-missing).',
    @level0type = N'SCHEMA', @level0name = N'dw', @level1type = N'TABLE', @level1name = N'dim_date';
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'1 = Monday ... 7 = Sunday (ISO 8601), independent of @@DATEFIRST.',
    @level0type = N'SCHEMA', @level0name = N'dw', @level1type = N'TABLE', @level1name = N'dim_date',
    @level2type = N'COLUMN', @level2name = N'iso_day_of_week';
GO
