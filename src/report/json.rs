//! The JSON report: the model as one object (`capture`, `connections`, `messages`, `sessions`,
//! `findings`). Its field names are a stable interface.

use std::io::{self, Write};

use crate::model::Model;

pub fn write(model: &Model, out: &mut impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, model).map_err(io::Error::other)?;
    writeln!(out)
}
