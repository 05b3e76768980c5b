//! What an API key may do. Each endpoint needs exactly one scope.

crate::named_enum! {
    /// `flows:read flows:write runs:read runs:write keys:read keys:write`.
    Scope "scope" {
        FlowsRead => "flows:read",
        FlowsWrite => "flows:write",
        RunsRead => "runs:read",
        RunsWrite => "runs:write",
        KeysRead => "keys:read",
        KeysWrite => "keys:write",
    }
}
