"""``verify(image, report, settings)``: the one pipeline behind the Verify page, the CLI and the API."""

from medrag_core.workflow.verify import NOTICE_EMPTY, NOTICE_OFFLINE, precompute_image_embedding, verify

__all__ = ["NOTICE_EMPTY", "NOTICE_OFFLINE", "precompute_image_embedding", "verify"]
