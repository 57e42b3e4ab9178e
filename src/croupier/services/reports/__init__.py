"""Back-office reports (issue 14, section 3): GGR/NGR by game and day, observed RTP against
theoretical, and player liabilities checked against the ledger.

- :mod:`~croupier.services.reports.service`: :class:`ReportService`, the use cases;
- :mod:`~croupier.services.reports.ports`: :class:`ReportStore`, what the adapters aggregate;
- :mod:`~croupier.services.reports.interval`: the 99.9 % interval of an observed RTP;
- :mod:`~croupier.services.reports.memory`: :class:`MemoryReportStore`, the port's fake;
- :mod:`~croupier.services.reports.rows`: the rows, with :func:`to_csv` and :func:`to_json`.
"""

from croupier.services.reports.interval import Z_999, RtpBand, rtp_band
from croupier.services.reports.memory import MemoryReportStore
from croupier.services.reports.ports import (
    DAY_MS,
    GROUPS_MAX,
    FundingGroup,
    KindTotal,
    LiabilityTotals,
    ReportStore,
    RoundGroup,
)
from croupier.services.reports.rows import (
    GgrRow,
    LiabilityRow,
    ReportRow,
    RtpRow,
    as_dict,
    mismatch_text,
    ratio_text,
    to_csv,
    to_json,
)
from croupier.services.reports.service import (
    PERIOD_DAYS_DEFAULT,
    PERIOD_DAYS_MAX,
    Period,
    ReportService,
    today_utc,
)

__all__ = [
    "DAY_MS",
    "GROUPS_MAX",
    "PERIOD_DAYS_DEFAULT",
    "PERIOD_DAYS_MAX",
    "Z_999",
    "FundingGroup",
    "GgrRow",
    "KindTotal",
    "LiabilityRow",
    "LiabilityTotals",
    "MemoryReportStore",
    "Period",
    "ReportRow",
    "ReportService",
    "ReportStore",
    "RoundGroup",
    "RtpBand",
    "RtpRow",
    "as_dict",
    "mismatch_text",
    "ratio_text",
    "rtp_band",
    "to_csv",
    "to_json",
    "today_utc",
]
