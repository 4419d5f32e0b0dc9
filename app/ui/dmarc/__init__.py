"""DMARC tab: import aggregate reports, explain each sending source, check DNS, export."""
