"""The election commission's pages: voter roll, checks, review, sampling, certification, vote."""
