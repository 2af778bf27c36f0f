"""The widgets trainees and trainers click: imported only by notebooks and app pages."""
