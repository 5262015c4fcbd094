"""Sale lines from tuples, for the hand-made cases of the RFM and segment validation tests."""

import pandas as pd


def sales_of(rows) -> pd.DataFrame:
    """Sale lines from (customer_id, invoice_no, date, revenue) tuples."""
    frame = pd.DataFrame(rows, columns=["customer_id", "invoice_no", "invoice_date", "revenue"])
    frame["invoice_date"] = pd.to_datetime(frame["invoice_date"], format="ISO8601")
    return frame
