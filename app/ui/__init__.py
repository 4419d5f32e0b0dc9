"""The thin Qt layer: models, views, dialogs and jobs."""
