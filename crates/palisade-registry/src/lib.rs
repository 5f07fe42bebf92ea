//! Registry clients for the seven ecosystems: metadata, versions, maintainers and verified artifact downloads.
