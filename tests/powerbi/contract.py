"""The measures the Power BI issue names, by home table: the model must define them, the report
uses no others."""

REQUIRED_MEASURES = {
    "Sales": {"Revenue", "Orders", "Customers", "Units", "Average Order Value"},
    "Returns": {"Returns Value", "Net Revenue", "Return Rate"},
    "Cohort Retention": {"Retention Month 1", "Retention Month 3", "Cohort Customers"},
    "Customer": {"Customer Count", "Revenue at Risk", "Whale Share", "Whale Customers", "Average Churn Probability"},
    "Product Association": {"Rule Count", "Top Lift"},
}
