-- mart.rfm_segment_map: the segment of every 3-digit RFM code; data, so the business can change it.
CREATE TABLE mart.rfm_segment_map
(
    rfm_code        NVARCHAR(3)     NOT NULL,
    segment         NVARCHAR(40)    NOT NULL,
    CONSTRAINT PK_mart_rfm_segment_map PRIMARY KEY CLUSTERED (rfm_code),
    CONSTRAINT CK_mart_rfm_segment_map_rfm_code CHECK (
        LEN(rfm_code) = 3
        AND SUBSTRING(rfm_code, 1, 1) IN (N'1', N'2', N'3', N'4', N'5')
        AND SUBSTRING(rfm_code, 2, 1) IN (N'1', N'2', N'3', N'4', N'5')
        AND SUBSTRING(rfm_code, 3, 1) IN (N'1', N'2', N'3', N'4', N'5')
    )
);
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'RFM code (r_score, f_score, m_score digits) -> segment. mart.SeedRfmSegmentMap adds missing codes with the default 11-segment map; edit segment to change the map.',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'TABLE', @level1name = N'rfm_segment_map';
GO
