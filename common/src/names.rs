//! Enums that travel as fixed lowercase words (in JSON, in query strings and
//! in the database) get their word table from one macro, so the accepted
//! words, the error for a wrong one and the serde form never disagree.

/// `named_enum!(Type "what it is" { Variant => "word", ... })` defines the
/// enum with serde, its OpenAPI schema, `as_str`, `Display`, `FromStr` and `ALL`.
#[macro_export]
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident $what:literal { $($(#[$vmeta:meta])* $variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $word)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }
        }

        // By hand: the schema derive does not see serde renames made by a macro.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .title(Some($what))
                    .enum_values(Some([$($word),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($word => Ok($name::$variant),)+
                    _ => Err(format!(
                        concat!("unknown ", $what, " `{}`; expected one of {}"),
                        s,
                        [$($word),+].join(", ")
                    )),
                }
            }
        }
    };
}
