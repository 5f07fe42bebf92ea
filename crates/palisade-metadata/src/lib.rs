//! Judges a package by its name and registry metadata: typosquatting, masquerading, dependency confusion and publishing anomalies.
