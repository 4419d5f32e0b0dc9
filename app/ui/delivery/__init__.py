"""配信状況: the delivery overview tab, its charts view, the alert line and its jobs."""
