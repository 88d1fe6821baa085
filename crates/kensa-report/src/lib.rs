//! Renderers that turn a report into table, JSON and the other output formats.
