"""Interface message catalogues (gettext .po/.mo) for English and Ukrainian."""
