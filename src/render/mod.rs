//! Rendering: XML views turned into HTML by XSLT 1.0 stylesheets.
pub mod xslt;
