/*
mart.SeedRfmSegmentMap - make sure mart.rfm_segment_map has a segment for all 125 RFM codes.

The default map is the common 11-segment one (Champions, Loyal Customers, Potential Loyalists,
New Customers, Promising, Need Attention, About to Sleep, At Risk, Can't Lose Them, Hibernating,
Lost). The map is data: to change it, UPDATE mart.rfm_segment_map; the Single Customer View
reads it live, and this procedure never overwrites an edited row unless asked to.

Parameters
    @reset  BIT  0 (default): only add missing codes; 1: also put every code back to the default
Result set
    none
Idempotent
    a second call adds nothing (and, with @reset = 1, changes nothing).
Errors
    50201  @reset is not 0 or 1
Returns 0.
*/
CREATE OR ALTER PROCEDURE mart.SeedRfmSegmentMap
    @reset BIT = 0
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    IF @reset IS NULL
    BEGIN
        THROW 50201, N'mart.SeedRfmSegmentMap: @reset must be 0 or 1.', 1;
    END;

    BEGIN TRY
        BEGIN TRANSACTION;

        MERGE mart.rfm_segment_map AS target
        USING (
            SELECT d.rfm_code AS rfm_code, d.segment AS segment
            FROM (VALUES
            (N'555', N'Champions'), (N'554', N'Champions'), (N'553', N'Potential Loyalists'), (N'552', N'Potential Loyalists'), (N'551', N'Potential Loyalists'),
            (N'545', N'Champions'), (N'544', N'Champions'), (N'543', N'Loyal Customers'), (N'542', N'Potential Loyalists'), (N'541', N'Potential Loyalists'),
            (N'535', N'Need Attention'), (N'534', N'Need Attention'), (N'533', N'Potential Loyalists'), (N'532', N'Potential Loyalists'), (N'531', N'Potential Loyalists'),
            (N'525', N'Promising'), (N'524', N'Promising'), (N'523', N'Promising'), (N'522', N'Promising'), (N'521', N'Promising'),
            (N'515', N'Promising'), (N'514', N'Promising'), (N'513', N'Promising'), (N'512', N'New Customers'), (N'511', N'New Customers'),
            (N'455', N'Champions'), (N'454', N'Champions'), (N'453', N'Potential Loyalists'), (N'452', N'Potential Loyalists'), (N'451', N'Potential Loyalists'),
            (N'445', N'Champions'), (N'444', N'Loyal Customers'), (N'443', N'Need Attention'), (N'442', N'Potential Loyalists'), (N'441', N'Potential Loyalists'),
            (N'435', N'Loyal Customers'), (N'434', N'Need Attention'), (N'433', N'Potential Loyalists'), (N'432', N'Potential Loyalists'), (N'431', N'Potential Loyalists'),
            (N'425', N'Promising'), (N'424', N'Promising'), (N'423', N'Potential Loyalists'), (N'422', N'New Customers'), (N'421', N'New Customers'),
            (N'415', N'Promising'), (N'414', N'Promising'), (N'413', N'Promising'), (N'412', N'New Customers'), (N'411', N'New Customers'),
            (N'355', N'Loyal Customers'), (N'354', N'Loyal Customers'), (N'353', N'Potential Loyalists'), (N'352', N'Potential Loyalists'), (N'351', N'Potential Loyalists'),
            (N'345', N'Loyal Customers'), (N'344', N'Loyal Customers'), (N'343', N'Need Attention'), (N'342', N'Potential Loyalists'), (N'341', N'Potential Loyalists'),
            (N'335', N'Loyal Customers'), (N'334', N'Need Attention'), (N'333', N'Potential Loyalists'), (N'332', N'Hibernating'), (N'331', N'About to Sleep'),
            (N'325', N'Need Attention'), (N'324', N'Need Attention'), (N'323', N'Potential Loyalists'), (N'322', N'Hibernating'), (N'321', N'About to Sleep'),
            (N'315', N'Promising'), (N'314', N'Promising'), (N'313', N'Promising'), (N'312', N'About to Sleep'), (N'311', N'New Customers'),
            (N'255', N'At Risk'), (N'254', N'At Risk'), (N'253', N'At Risk'), (N'252', N'At Risk'), (N'251', N'About to Sleep'),
            (N'245', N'At Risk'), (N'244', N'At Risk'), (N'243', N'At Risk'), (N'242', N'At Risk'), (N'241', N'About to Sleep'),
            (N'235', N'At Risk'), (N'234', N'At Risk'), (N'233', N'Hibernating'), (N'232', N'Hibernating'), (N'231', N'About to Sleep'),
            (N'225', N'At Risk'), (N'224', N'At Risk'), (N'223', N'Hibernating'), (N'222', N'Hibernating'), (N'221', N'About to Sleep'),
            (N'215', N'Can''t Lose Them'), (N'214', N'Can''t Lose Them'), (N'213', N'About to Sleep'), (N'212', N'Hibernating'), (N'211', N'Hibernating'),
            (N'155', N'Can''t Lose Them'), (N'154', N'Can''t Lose Them'), (N'153', N'At Risk'), (N'152', N'At Risk'), (N'151', N'Lost'),
            (N'145', N'At Risk'), (N'144', N'Can''t Lose Them'), (N'143', N'At Risk'), (N'142', N'At Risk'), (N'141', N'Lost'),
            (N'135', N'At Risk'), (N'134', N'At Risk'), (N'133', N'At Risk'), (N'132', N'Hibernating'), (N'131', N'Lost'),
            (N'125', N'At Risk'), (N'124', N'At Risk'), (N'123', N'Hibernating'), (N'122', N'Hibernating'), (N'121', N'Lost'),
            (N'115', N'Can''t Lose Them'), (N'114', N'Can''t Lose Them'), (N'113', N'Can''t Lose Them'), (N'112', N'Lost'), (N'111', N'Lost')
            ) AS d (rfm_code, segment)
        ) AS source
            ON target.rfm_code = source.rfm_code
        WHEN MATCHED AND @reset = 1 AND target.segment <> source.segment THEN
            UPDATE SET target.segment = source.segment
        WHEN NOT MATCHED THEN
            INSERT (rfm_code, segment)
            VALUES (source.rfm_code, source.segment);

        COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
        THROW;
    END CATCH;

    RETURN 0;
END;
GO
