//! `--generate-cli-skeleton`: an action's parameters as a JSON object to fill in and pass back
//! with `--cli-input-json`, as tccli prints it. Each scalar stands as its type's name
//! (`"String"`, `"Integer"`, `"Float"`, `"Boolean"`, `"Timestamp"`), a list as a one-element
//! list, and a structure as an object of its members, expanded all the way down in the spec's
//! order. A structure that contains itself is cut where it repeats.

use mongodb_models::ParamInfo;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::input::{element_type, ParamKind};

/// The placeholder tree of a parameter list.
#[derive(Debug, Clone, PartialEq)]
pub enum Skeleton {
    /// A scalar's type name, or a note where a structure repeats inside itself.
    Placeholder(String),
    /// A list, shown with one element.
    List(Box<Skeleton>),
    /// A structure's members in order.
    Object(Vec<(&'static str, Skeleton)>),
}

impl Skeleton {
    /// The skeleton of a request with these parameters.
    pub fn of(params: &'static [ParamInfo]) -> Self {
        members(params, &mut Vec::new())
    }

    /// Pretty JSON followed by a newline.
    pub fn render(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a skeleton is plain JSON");
        s.push('\n');
        s
    }
}

fn members(params: &'static [ParamInfo], open: &mut Vec<&'static str>) -> Skeleton {
    Skeleton::Object(
        params
            .iter()
            .map(|p| {
                let kind = ParamKind::of(p.type_name);
                (p.name, shape(&kind, p.type_name, p.structure, open))
            })
            .collect(),
    )
}

fn shape(
    kind: &ParamKind,
    type_name: &'static str,
    structure: Option<&'static str>,
    open: &mut Vec<&'static str>,
) -> Skeleton {
    match kind {
        ParamKind::List(inner) => {
            let element = element_type(type_name);
            Skeleton::List(Box::new(shape(inner, element, structure, open)))
        }
        ParamKind::Structure => {
            let name = structure.unwrap_or(type_name);
            match mongodb_models::structure_params(name) {
                Some(_) if open.contains(&name) => {
                    Skeleton::Placeholder(format!("<{name}, as above: give it as JSON>"))
                }
                Some(params) => {
                    open.push(name);
                    let s = members(params, open);
                    open.pop();
                    s
                }
                None => Skeleton::Placeholder(name.to_string()),
            }
        }
        _ => Skeleton::Placeholder(type_name.to_string()),
    }
}

impl Serialize for Skeleton {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Skeleton::Placeholder(t) => s.serialize_str(t),
            Skeleton::List(e) => {
                let mut seq = s.serialize_seq(Some(1))?;
                seq.serialize_element(e.as_ref())?;
                seq.end()
            }
            Skeleton::Object(members) => {
                let mut map = s.serialize_map(Some(members.len()))?;
                for (k, v) in members {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skeleton(action: &str) -> String {
        Skeleton::of(mongodb_models::find_action(action).unwrap().params).render()
    }

    #[test]
    fn scalars_lists_and_structures() {
        assert_eq!(
            skeleton("CreateBackupDownloadTask"),
            "{\n  \"InstanceId\": \"String\",\n  \"BackupName\": \"String\",\n  \
             \"BackupSets\": [\n    {\n      \"ReplicaSetId\": \"String\"\n    }\n  ]\n}\n"
        );
        assert_eq!(
            skeleton("DeleteDBBackups"),
            "{\n  \"InstanceId\": \"String\",\n  \"BackupIds\": [\n    \"Integer\"\n  ]\n}\n"
        );
    }

    #[test]
    fn every_action_has_a_skeleton_with_every_parameter() {
        for info in mongodb_models::actions() {
            let Skeleton::Object(members) = Skeleton::of(info.params) else {
                panic!("{} is not an object", info.name);
            };
            let names: Vec<&str> = members.iter().map(|(n, _)| *n).collect();
            let expected: Vec<&str> = info.params.iter().map(|p| p.name).collect();
            assert_eq!(names, expected, "{}", info.name);
            let json: serde_json::Value = serde_json::from_str(&skeleton(info.name)).unwrap();
            assert!(json.is_object());
        }
    }
}
