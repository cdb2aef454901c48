"""X-Ray lab: send a trace from your own code.

Runs in your lab sandbox: plain boto3 picks the endpoint and credentials up
from the environment (`inv lab.env xray-tracing`).
"""

import boto3


def record_checkout(order_id: str) -> str:
    """Send one trace for a checkout and return its trace id.

    The trace holds a segment named "checkout" annotated with
    {"order_id": order_id}, and inside it a subsegment named "charge-card".
    Use boto3.client("xray").put_trace_segments.
    """
    raise NotImplementedError("record_checkout")
