-- mart.single_customer_view: one row per customer; what analytics and Power BI read.
CREATE OR ALTER VIEW mart.single_customer_view
AS
SELECT
    r.customer_id AS customer_id,
    c.country AS country,
    k.display_name AS country_display_name,
    k.region AS region,
    r.first_purchase_at AS first_purchase_at,
    r.last_purchase_at AS last_purchase_at,
    r.as_of_date AS as_of_date,
    r.recency_days AS recency_days,
    r.frequency AS frequency,
    r.monetary AS monetary,
    r.average_order_value AS average_order_value,
    r.net_revenue AS net_revenue,
    r.returns_revenue AS returns_revenue,
    r.return_count AS return_count,
    r.tenure_days AS tenure_days,
    r.r_score AS r_score,
    r.f_score AS f_score,
    r.m_score AS m_score,
    r.rfm_code AS rfm_code,
    m.segment AS segment,
    ch.churn_probability AS churn_probability,
    ch.risk_band AS churn_risk_band,
    w.is_whale AS is_whale
FROM mart.customer_rfm AS r
INNER JOIN dw.dim_customer AS c ON c.customer_id = r.customer_id
INNER JOIN dw.dim_country AS k ON k.country_key = c.country_key
LEFT JOIN mart.rfm_segment_map AS m ON m.rfm_code = r.rfm_code
-- analytics results (analytics/marts): NULL until a run has scored this
-- customer at the RFM as-of date, so scores from an older build never look current
LEFT JOIN mart.customer_churn_risk AS ch ON ch.customer_id = r.customer_id AND ch.as_of_date = r.as_of_date
LEFT JOIN mart.customer_whale AS w ON w.customer_id = r.customer_id AND w.as_of_date = r.as_of_date;
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Single Customer View: one row per customer with a purchase - country, RFM metrics, scores, code and segment (read live from mart.rfm_segment_map), and the latest analytics run''s churn_probability, churn_risk_band and is_whale (NULL before a run at the same as_of_date).',
    @level0type = N'SCHEMA', @level0name = N'mart', @level1type = N'VIEW', @level1name = N'single_customer_view';
GO
