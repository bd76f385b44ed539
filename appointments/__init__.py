"""Appointment requests from a clinic's visitors, handled as personal health
information (Ontario's PHIPA, British Columbia's PIPA): asked for as little
as possible, encrypted at rest, readable only by that clinic's staff with the
dedicated permission (every read recorded in the audit log), never in a
cache, a log line, an error report or an e-mail, and deleted after the
clinic's retention period."""
