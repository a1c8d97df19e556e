//! One answer, two formats: every Open311 response is built once as a [`Node`] tree and
//! written as the spec's XML (with the declaration; lists as a plural element holding one
//! singular element per item) or as JSON (lists as arrays).

use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Null,
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A list: in XML each item is an element named `item`.
    List {
        item: &'static str,
        items: Vec<Node>,
    },
    Object(Vec<(&'static str, Node)>),
}

impl Node {
    pub fn text(s: impl Into<String>) -> Node {
        Node::Text(s.into())
    }

    pub fn opt_text(s: Option<impl Into<String>>) -> Node {
        s.map(|s| Node::Text(s.into())).unwrap_or(Node::Null)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Xml,
    Json,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xml => "text/xml; charset=utf-8",
            Format::Json => "application/json; charset=utf-8",
        }
    }
}

/// `services.json` → (`services`, JSON). Only the two formats of the spec.
pub fn split_file(file: &str) -> Option<(&str, Format)> {
    let (name, ext) = file.rsplit_once('.')?;
    let format = match ext {
        "xml" => Format::Xml,
        "json" => Format::Json,
        _ => return None,
    };
    (!name.is_empty()).then_some((name, format))
}

pub fn to_json(node: &Node) -> Value {
    match node {
        Node::Null => Value::Null,
        Node::Text(s) => Value::String(s.clone()),
        Node::Int(n) => Value::from(*n),
        Node::Float(x) => serde_json::Number::from_f64(*x).map(Value::Number).unwrap_or(Value::Null),
        Node::Bool(b) => Value::Bool(*b),
        Node::List { items, .. } => Value::Array(items.iter().map(to_json).collect()),
        Node::Object(fields) => Value::Object(fields.iter().map(|(k, v)| (k.to_string(), to_json(v))).collect()),
    }
}

/// The XML document with `root` as its element. quick-xml does the escaping.
pub fn to_xml(root: &str, node: &Node) -> String {
    use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
    use quick_xml::Writer;

    fn write(w: &mut Writer<Vec<u8>>, name: &str, node: &Node) -> std::io::Result<()> {
        if *node == Node::Null {
            return w.write_event(Event::Empty(BytesStart::new(name)));
        }
        w.write_event(Event::Start(BytesStart::new(name)))?;
        match node {
            Node::Null => {}
            Node::Text(s) => w.write_event(Event::Text(BytesText::new(s)))?,
            Node::Int(n) => w.write_event(Event::Text(BytesText::new(&n.to_string())))?,
            Node::Float(x) => w.write_event(Event::Text(BytesText::new(&x.to_string())))?,
            Node::Bool(b) => w.write_event(Event::Text(BytesText::new(if *b { "true" } else { "false" })))?,
            Node::List { item, items } => {
                for i in items {
                    write(w, item, i)?;
                }
            }
            Node::Object(fields) => {
                for (k, v) in fields {
                    write(w, k, v)?;
                }
            }
        }
        w.write_event(Event::End(BytesEnd::new(name)))?;
        Ok(())
    }

    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let ok = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None))).is_ok()
        && write(&mut w, root, node).is_ok();
    if !ok {
        return String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<errors/>");
    }
    String::from_utf8(w.into_inner()).unwrap_or_default()
}

/// The spec's error list: `[{code, description}]` / `<errors><error>…`.
pub fn errors(code: u16, description: &str) -> Node {
    Node::List {
        item: "error",
        items: vec![Node::Object(vec![("code", Node::Int(code as i64)), ("description", Node::text(description))])],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Node {
        Node::List {
            item: "service",
            items: vec![Node::Object(vec![
                ("service_code", Node::text("drain-manhole")),
                ("service_name", Node::text("井盖 & <排水>")),
                ("metadata", Node::Bool(true)),
                ("keywords", Node::Null),
            ])],
        }
    }

    #[test]
    fn files_name_their_format() {
        assert_eq!(split_file("services.json"), Some(("services", Format::Json)));
        assert_eq!(split_file("requests.xml"), Some(("requests", Format::Xml)));
        assert_eq!(split_file("discovery.html"), None);
        assert_eq!(split_file(".json"), None);
        assert_eq!(split_file("services"), None);
    }

    #[test]
    fn json_lists_are_arrays() {
        let v = to_json(&sample());
        assert_eq!(v[0]["service_code"], "drain-manhole");
        assert_eq!(v[0]["metadata"], true);
        assert!(v[0]["keywords"].is_null());
    }

    #[test]
    fn xml_has_the_declaration_plural_roots_and_escapes() {
        let x = to_xml("services", &sample());
        assert!(x.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"), "{x}");
        assert!(x.contains("<services>") && x.contains("<service>") && x.contains("</services>"));
        assert!(x.contains("井盖 &amp; &lt;排水&gt;"), "{x}");
        assert!(x.contains("<keywords/>"), "{x}");
        let e = to_xml("errors", &errors(403, "bad key"));
        assert!(e.contains("<errors>") && e.contains("<error>") && e.contains("<code>403</code>"));
    }
}
