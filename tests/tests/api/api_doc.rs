//! docs/openapi.json read for table tests: the operation of a route, the fields of its request
//! body (walked over an example body, each with whether the document lets it be null), and
//! the names of its query parameters. The openapi test ties the document to the route table,
//! so a table built from here covers every registered route.

use serde_json::Value;

/// One step into a JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// One field of an example body.
#[derive(Debug, Clone)]
pub struct BodyField {
    pub steps: Vec<Step>,
    /// As the server names it: `trigger.goalName`, `steps[0].url`.
    pub name: String,
    /// The document gives `null` among the field's types.
    pub nullable: bool,
}

impl BodyField {
    /// The name with indices removed, to compare with declared properties: `steps[].url`.
    pub fn shape(&self) -> String {
        let mut shape = String::new();
        for step in &self.steps {
            match step {
                Step::Key(key) if shape.is_empty() => shape.push_str(key),
                Step::Key(key) => {
                    shape.push('.');
                    shape.push_str(key);
                }
                Step::Index(_) => shape.push_str("[]"),
            }
        }
        shape
    }

    /// `body` with this field set to null.
    pub fn nulled(&self, body: &Value) -> Value {
        let mut copy = body.clone();
        let mut at = &mut copy;
        for step in &self.steps {
            at = match step {
                Step::Key(key) => &mut at[key.as_str()],
                Step::Index(index) => &mut at[*index],
            };
        }
        *at = Value::Null;
        copy
    }

    /// The same field in `value`, by keys only (`None` when absent).
    pub fn read<'a>(&self, value: &'a Value) -> Option<&'a Value> {
        self.steps.iter().try_fold(value, |at, step| match step {
            Step::Key(key) => at.get(key),
            Step::Index(index) => at.get(index),
        })
    }
}

pub struct ApiDoc {
    document: Value,
}

impl ApiDoc {
    pub fn load() -> Self {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
        let text = std::fs::read_to_string(path).expect("docs/openapi.json exists");
        Self {
            document: serde_json::from_str(&text).expect("docs/openapi.json is JSON"),
        }
    }

    /// Every documented operation as (method in upper case, path template, operation).
    pub fn operations(&self) -> Vec<(String, String, &Value)> {
        let paths = self.document["paths"]
            .as_object()
            .expect("paths is an object");
        let mut operations = Vec::new();
        for (path, item) in paths {
            for (method, operation) in item.as_object().into_iter().flatten() {
                if operation.get("responses").is_some() {
                    operations.push((method.to_uppercase(), path.clone(), operation));
                }
            }
        }
        operations
    }

    pub fn operation(&self, method: &str, path: &str) -> Option<&Value> {
        self.document["paths"][path].get(method.to_lowercase())
    }

    /// Follows `$ref`, and merges the properties of `allOf` and `oneOf` parts into one object
    /// schema (for `oneOf`, a property of any variant).
    fn resolve(&self, schema: &Value) -> Value {
        if let Some(reference) = schema["$ref"].as_str() {
            let pointer = reference.trim_start_matches('#');
            let target = self.document.pointer(pointer).expect("$ref resolves");
            return self.resolve(target);
        }
        let parts = schema["allOf"].as_array().or(schema["oneOf"].as_array());
        let Some(parts) = parts else {
            return schema.clone();
        };
        // The schema's own properties come first: a part only adds the ones it lacks.
        let mut properties = schema["properties"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for part in parts {
            for (key, property) in self.resolve(part)["properties"]
                .as_object()
                .into_iter()
                .flatten()
            {
                properties
                    .entry(key.clone())
                    .or_insert_with(|| property.clone());
            }
        }
        serde_json::json!({"type": "object", "properties": properties})
    }

    /// The request body's object schema, when the operation takes one with properties.
    pub fn body_schema(&self, operation: &Value) -> Option<Value> {
        let schema = operation
            .pointer("/requestBody/content/application~1json/schema")
            .map(|schema| self.resolve(schema))?;
        schema["properties"].as_object()?;
        Some(schema)
    }

    /// Every declared property, nested ones included, as shapes (`trigger.goalName`,
    /// `steps[].url`).
    pub fn declared(&self, schema: &Value, prefix: &str) -> Vec<String> {
        let mut shapes = Vec::new();
        for (key, property) in schema["properties"].as_object().into_iter().flatten() {
            let shape = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            let property = self.resolve(property);
            let items = self.resolve(&property["items"]);
            if property["properties"].is_object() {
                shapes.extend(self.declared(&property, &shape));
            } else if items["properties"].is_object() {
                shapes.extend(self.declared(&items, &format!("{shape}[]")));
            }
            shapes.push(shape);
        }
        shapes
    }

    /// Every field of `body`, walked into the objects and arrays of objects the schema
    /// describes. A key the schema does not declare (an alias) is a field that takes no null.
    pub fn fields(&self, schema: &Value, body: &Value) -> Vec<BodyField> {
        let mut found = Vec::new();
        self.walk(schema, body, &[], &mut found);
        found
    }

    fn walk(&self, schema: &Value, body: &Value, at: &[Step], found: &mut Vec<BodyField>) {
        for (key, value) in body.as_object().into_iter().flatten() {
            let property = self.resolve(&schema["properties"][key]);
            let mut steps = at.to_vec();
            steps.push(Step::Key(key.clone()));
            found.push(BodyField {
                name: display(&steps),
                steps: steps.clone(),
                nullable: takes_null(&property),
            });
            let items = self.resolve(&property["items"]);
            if property["properties"].is_object() {
                self.walk(&property, value, &steps, found);
            } else if items["properties"].is_object() {
                for (index, item) in value.as_array().into_iter().flatten().enumerate() {
                    let mut item_steps = steps.clone();
                    item_steps.push(Step::Index(index));
                    self.walk(&items, item, &item_steps, found);
                }
            }
        }
    }

    /// The names of the operation's query parameters. An exploded object parameter (`range`,
    /// `filters`, `selection`) stands for its properties, each sent as a parameter of its own.
    pub fn query_parameters(&self, operation: &Value) -> Vec<String> {
        let mut names = Vec::new();
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            let parameter = self.resolve(parameter);
            if parameter["in"] != "query" {
                continue;
            }
            let schema = self.resolve(&parameter["schema"]);
            match schema["properties"].as_object() {
                Some(properties) if parameter["explode"] == true => {
                    names.extend(properties.keys().cloned());
                }
                _ => names.push(
                    parameter["name"]
                        .as_str()
                        .expect("a parameter has a name")
                        .to_owned(),
                ),
            }
        }
        names
    }
}

fn takes_null(schema: &Value) -> bool {
    match &schema["type"] {
        Value::Array(types) => types.iter().any(|t| t == "null"),
        Value::String(single) => single == "null",
        _ => false,
    }
}

fn display(steps: &[Step]) -> String {
    let mut name = String::new();
    for step in steps {
        match step {
            Step::Key(key) if name.is_empty() => name.push_str(key),
            Step::Key(key) => {
                name.push('.');
                name.push_str(key);
            }
            Step::Index(index) => name.push_str(&format!("[{index}]")),
        }
    }
    name
}
