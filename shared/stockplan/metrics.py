"""Names of the custom metrics the alarms in infra/template.yaml watch.

The handlers publish them through Powertools (CloudWatch embedded metric format, in the
namespace POWERTOOLS_METRICS_NAMESPACE with the dimension service =
POWERTOOLS_SERVICE_NAME); the template's alarms name the same metric, namespace and
dimension, and tests/integration/test_template.py holds the two together.
"""

from __future__ import annotations

NAMESPACE = "Stockplan"
SERVICE = "stockplan"

# 1 each time the daily job finishes without an error: the heartbeat alarm goes off when
# none arrived for 26 hours (missing data is breaching).
DAILY_JOB_COMPLETED = "DailyJobCompleted"
# Seconds since the oldest notice still pending was queued (0 when none is), published by
# every sweep of the NoticeFunction.
OLDEST_PENDING_NOTICE_AGE = "OldestPendingNoticeAge"
# 1 for each chunk of a fanned-out feed file that failed for good (its rows are listed
# as not applied in the file's summary), published by the ChunkFunction.
CHUNKS_FAILED = "ChunksFailed"
