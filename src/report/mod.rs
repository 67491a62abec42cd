//! Reports: the model printed for a terminal (`text`) or a program (`json`). Both only read the
//! model.

pub mod json;
pub mod text;
