"""The widgets trainees and trainers click: imported only by notebooks and app pages."""

from csat import log as _log

# The widgets run in kernels whose page a trainee sees: what the trainer must know goes to the
# trainer's terminal, never the page (csat.log).
_log.to_terminal()
