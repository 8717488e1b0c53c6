//! The sequential channel models made usable across threads (being written).
