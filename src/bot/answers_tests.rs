//! Tests of the answer texts.
