"""Mail-service providers behind one interface (SendGrid now, others later)."""
