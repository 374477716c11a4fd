//! eRPC's service method names: how a controller's type and method names become the service
//! methods it serves, shared by hand-written registrations and the controller macro.
//!
//! eRPC names a controller's routes from Go identifiers, with one of two mappers:
//!
//! | Go name | [`NameStyle::Http`] (eRPC's default) | [`NameStyle::Rpc`] |
//! |---|---|---|
//! | `AaBb` | `/aa_bb` | `AaBb` |
//! | `ABcXYz` | `/abc_xyz` | `ABcXYz` |
//! | `Aa__Bb` | `/aa_bb` | `Aa_Bb` |
//! | `aa__bb` | `/aa_bb` | `aa_bb` |
//! | `ABC__XYZ` | `/abc_xyz` | `ABC_XYZ` |
//! | `Aa_Bb` | `/aa/bb` | `Aa.Bb` |
//! | `aa_bb` | `/aa/bb` | `aa.bb` |
//! | `ABC_XYZ` | `/abc/xyz` | `ABC.XYZ` |
//!
//! A controller `Math` with a method `Add` serves `/math/add` (HTTP style) or `Math.Add` (RPC
//! style). Rust method names are snake_case, so [`go_name`] first reads a Rust identifier as
//! the Go name a Go programmer would have written for it (`add_num` → `AddNum`), which makes a
//! telerpc controller serve the same service methods as a Go controller with the same methods.

use std::iter::repeat_n;

/// How the names of a controller and its methods become service methods: eRPC's two
/// `ServiceMethodMapper`s.
///
/// ```
/// use telerpc_router::NameStyle;
///
/// assert_eq!(NameStyle::Http.service_method("Math", "AddNum"), "/math/add_num");
/// assert_eq!(NameStyle::Rpc.service_method("Math", "AddNum"), "Math.AddNum");
/// assert_eq!(NameStyle::Http.rust_service_method("Math", "add_num"), "/math/add_num");
/// assert_eq!(NameStyle::Rpc.rust_service_method("Math", "add_num"), "Math.AddNum");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum NameStyle {
    /// eRPC's default `HTTPServiceMethodMapper`: path segments in snake_case, `/math/add_num`.
    #[default]
    Http,
    /// eRPC's `RPCServiceMethodMapper`: Go names joined by dots, `Math.AddNum`.
    Rpc,
}

impl NameStyle {
    /// eRPC's mapper applied to one Go name under `prefix`, exactly as Go computes it.
    ///
    /// In the Go name, a single `_` separates levels and a double `__` stands for a literal
    /// `_` (further underscores in a run, and underscores at the start, are dropped).
    ///
    /// - [`Http`](Self::Http): the name's levels joined by `/`, each CamelCase word boundary
    ///   becoming `_` and everything lowercased, then `path.Join("/", prefix, name)`: the
    ///   result starts with `/`, has no empty, `.` or `..` segments and no trailing `/`.
    /// - [`Rpc`](Self::Rpc): the name's levels joined by `.`, case kept, then
    ///   `prefix + "." + name` with every leading and trailing `.` trimmed.
    ///
    /// ```
    /// use telerpc_router::NameStyle;
    ///
    /// assert_eq!(NameStyle::Http.map("", "ABcXYz"), "/abc_xyz");
    /// assert_eq!(NameStyle::Http.map("/v1", "Aa_Bb"), "/v1/aa/bb");
    /// assert_eq!(NameStyle::Rpc.map("v1", "Aa_Bb"), "v1.Aa.Bb");
    /// ```
    pub fn map(self, prefix: &str, name: &str) -> String {
        match self {
            Self::Http => clean_rooted(&format!("{prefix}/{}", levels(name, '/', true))),
            Self::Rpc => format!("{prefix}.{}", levels(name, '.', false))
                .trim_matches('.')
                .to_owned(),
        }
    }

    /// The service method of the method `method` of the controller `controller`, both Go
    /// names: the mapper applied to the controller at the root, then to the method under the
    /// result, as eRPC registers a controller (`Math`, `Add` → `/math/add` or `Math.Add`).
    pub fn service_method(self, controller: &str, method: &str) -> String {
        self.map(&self.map("", controller), method)
    }

    /// [`service_method`](Self::service_method) for Rust names: the type name and the method
    /// identifier are each read as a Go name by [`go_name`] first (`Math`, `add_num` →
    /// `/math/add_num` or `Math.AddNum`).
    pub fn rust_service_method(self, type_name: &str, method: &str) -> String {
        self.service_method(&go_name(type_name), &go_name(method))
    }
}

/// The Go name a Go programmer would write for the Rust identifier `ident`, so that a telerpc
/// controller and a Go controller with "the same" methods serve the same service methods.
///
/// - A leading `r#` (a raw identifier) is dropped.
/// - Runs of underscores separate words, and each word's first letter is uppercased, the rest
///   kept: `add_num` → `AddNum`, `get_HTTP` → `GetHTTP`. A CamelCase name is kept as it is
///   (`Math` → `Math`).
/// - Between two words, a run of one underscore disappears and a run of `n ≥ 2` becomes
///   `n − 1` underscores, which is how a Rust name reaches eRPC's separators:
///   `user__get` → `User_Get` (`/user/get`, `User.Get`) and `aa___bb` → `Aa__Bb`
///   (`/aa_bb`, `Aa_Bb`).
/// - Underscores at the start or the end are kept as they are.
///
/// A word that starts with a digit has no letter to uppercase, so it joins the word before it
/// in Go's eyes: `get_2` → `Get2` → `/get2`.
///
/// ```
/// use telerpc_router::go_name;
///
/// assert_eq!(go_name("add_num"), "AddNum");
/// assert_eq!(go_name("user__get"), "User_Get");
/// assert_eq!(go_name("Math"), "Math");
/// ```
pub fn go_name(ident: &str) -> String {
    let ident = ident.strip_prefix("r#").unwrap_or(ident);
    let mut out = String::with_capacity(ident.len());
    let mut run = 0;
    let mut started = false;
    for c in ident.chars() {
        if c == '_' {
            run += 1;
            continue;
        }
        let word_start = !started || run > 0;
        if run > 0 {
            out.extend(repeat_n('_', if started { run - 1 } else { run }));
            run = 0;
        }
        if word_start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        started = true;
    }
    out.extend(repeat_n('_', run));
    out
}

/// eRPC's `toServiceMethods`: a single `_` becomes `sep`, a double `__` a literal `_`
/// (further underscores in the run and leading underscores are dropped); with `snake`, the
/// CamelCase words become snake_case as Go's `goutil.SnakeString` writes them.
fn levels(name: &str, sep: char, snake: bool) -> String {
    let mut out: Vec<char> = Vec::with_capacity(name.len());
    let mut last = '\0';
    for c in name.chars() {
        if last == '_' {
            if c == '_' {
                last = '\0';
                continue;
            }
            if let Some(previous) = out.last_mut() {
                *previous = sep;
            }
        }
        if last == '\0' && c == '_' {
            continue;
        }
        out.push(c);
        last = c;
    }
    let name: String = out.into_iter().collect();
    if !snake {
        return name;
    }
    snake_case(&name)
        .replace("__", "_")
        .replace(&format!("{sep}_"), &sep.to_string())
}

/// Go's `goutil.SnakeString`: an uppercase ASCII letter that follows a character other than
/// an uppercase letter or `_` (since the last `_` written) gets a `_` before it; then
/// everything is lowercased.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() * 2);
    let mut after_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if after_lower {
                out.push('_');
                after_lower = false;
            }
        } else if c != '_' {
            after_lower = true;
        }
        out.push(c);
    }
    out.to_lowercase()
}

/// Go's `path.Clean` of a path that starts with `/`: no empty or `.` segments, `..` removes
/// the segment before it (never above the root), no trailing `/`.
fn clean_rooted(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 1);
    out.push('/');
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                let cut = out.rfind('/').unwrap_or(0).max(1);
                out.truncate(cut);
            }
            segment => {
                if out.len() > 1 {
                    out.push('/');
                }
                out.push_str(segment);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_style_maps_every_erpc_example() {
        for (go, expected) in [
            ("AaBb", "/aa_bb"),
            ("ABcXYz", "/abc_xyz"),
            ("Aa__Bb", "/aa_bb"),
            ("aa__bb", "/aa_bb"),
            ("ABC__XYZ", "/abc_xyz"),
            ("Aa_Bb", "/aa/bb"),
            ("aa_bb", "/aa/bb"),
            ("ABC_XYZ", "/abc/xyz"),
        ] {
            assert_eq!(NameStyle::Http.map("", go), expected, "{go}");
        }
    }

    #[test]
    fn rpc_style_maps_every_erpc_example() {
        for (go, expected) in [
            ("AaBb", "AaBb"),
            ("ABcXYz", "ABcXYz"),
            ("Aa__Bb", "Aa_Bb"),
            ("aa__bb", "aa_bb"),
            ("ABC__XYZ", "ABC_XYZ"),
            ("Aa_Bb", "Aa.Bb"),
            ("aa_bb", "aa.bb"),
            ("ABC_XYZ", "ABC.XYZ"),
        ] {
            assert_eq!(NameStyle::Rpc.map("", go), expected, "{go}");
        }
    }

    #[test]
    fn a_controller_method_is_mapped_under_its_controller() {
        assert_eq!(NameStyle::Http.service_method("Math", "Add"), "/math/add");
        assert_eq!(NameStyle::Rpc.service_method("Math", "Add"), "Math.Add");
        assert_eq!(NameStyle::Http.service_method("Hello", "Say"), "/hello/say");
        assert_eq!(NameStyle::Rpc.service_method("Hello", "Say"), "Hello.Say");
        assert_eq!(
            NameStyle::Http.service_method("HTTPServer", "GetURL"),
            "/httpserver/get_url"
        );
    }

    #[test]
    fn prefixes_are_joined_as_go_joins_them() {
        assert_eq!(NameStyle::Http.map("/v1", "Math"), "/v1/math");
        assert_eq!(NameStyle::Http.map("v1/", "Math"), "/v1/math");
        assert_eq!(NameStyle::Http.map("/a/../b/./c", "D"), "/b/c/d");
        assert_eq!(NameStyle::Http.map("/..", "D"), "/d");
        assert_eq!(NameStyle::Http.map("", ""), "/");
        assert_eq!(NameStyle::Rpc.map("v1", "Math"), "v1.Math");
        assert_eq!(NameStyle::Rpc.map("", ""), "");
        assert_eq!(NameStyle::Rpc.map(".v1", "Math"), "v1.Math");
        assert_eq!(NameStyle::Rpc.map("", "_Math_"), "Math_");
    }

    #[test]
    fn leading_and_repeated_underscores_follow_go() {
        assert_eq!(levels("_Aa", '/', false), "Aa");
        assert_eq!(levels("Aa___Bb", '.', false), "Aa_Bb");
        assert_eq!(NameStyle::Http.map("", "Aa___Bb"), "/aa_bb");
        assert_eq!(NameStyle::Http.map("", "Aa_"), "/aa_");
    }

    #[test]
    fn rust_identifiers_read_as_go_names() {
        for (rust, go) in [
            ("add", "Add"),
            ("add_num", "AddNum"),
            ("get_HTTP", "GetHTTP"),
            ("Math", "Math"),
            ("HTTPServer", "HTTPServer"),
            ("user__get", "User_Get"),
            ("aa___bb", "Aa__Bb"),
            ("r#type", "Type"),
            ("get_2", "Get2"),
            ("_hidden", "_Hidden"),
            ("trailing_", "Trailing_"),
            ("", ""),
        ] {
            assert_eq!(go_name(rust), go, "{rust}");
        }
    }

    #[test]
    fn rust_methods_serve_what_the_same_go_methods_serve() {
        for (rust, http, rpc) in [
            ("add", "/math/add", "Math.Add"),
            ("add_num", "/math/add_num", "Math.AddNum"),
            ("user__get", "/math/user/get", "Math.User.Get"),
            ("aa___bb", "/math/aa_bb", "Math.Aa_Bb"),
            ("http2_get", "/math/http2_get", "Math.Http2Get"),
        ] {
            assert_eq!(NameStyle::Http.rust_service_method("Math", rust), http);
            assert_eq!(NameStyle::Rpc.rust_service_method("Math", rust), rpc);
        }
    }
}
