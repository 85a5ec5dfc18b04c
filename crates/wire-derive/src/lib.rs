//! `#[derive(Wire)]`: the browser clients' JSON reader and writer of a protocol type
//! (`tidings_wire::FromJson` and `ToJson`), generated from the same declaration and serde
//! attributes serde's own derive reads, so the server (serde_json) and the clients (this
//! codec) cannot disagree on a field or a value.
//!
//! The serde attributes it follows: on a container `tag = "…"` (internally tagged enums),
//! `rename_all = "snake_case"` and `deny_unknown_fields`; on a field `default` and
//! `skip_serializing_if = "…"`. Any other serde attribute (`flatten`, `rename`, …) is a
//! compile error here, so a protocol change this codec does not follow cannot compile
//! silently into a disagreement. Enums are fieldless (a string), internally tagged, or
//! externally tagged (serde's default for an enum with data: a unit variant is a string, a
//! struct variant `{"<variant>": {…}}`); tuple variants are refused the same way.
//!
//! `#[wire(feature = "name")]` on a variant reads that variant (frame or value) only when
//! the protocol crate's cargo feature `name` is on: the frames only agents receive are
//! left out of the visitor widget's wasm this way.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::{
    parse_macro_input, Attribute, Data, DeriveInput, Error, Fields, Ident, LitStr, Path, Result,
    Type,
};

#[proc_macro_derive(Wire, attributes(wire))]
pub fn derive_wire(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input)
        .unwrap_or_else(Error::into_compile_error)
        .into()
}

/// The container attributes serde and this codec share.
#[derive(Default)]
struct Container {
    tag: Option<String>,
    snake_case: bool,
    deny_unknown_fields: bool,
}

/// One named field as both directions need it.
struct Field {
    ident: Ident,
    key: String,
    /// Missing is allowed: `#[serde(default)]`, or an `Option` (serde reads it as `None`).
    may_be_missing: bool,
    skip_serializing_if: Option<Path>,
}

fn expand(input: &DeriveInput) -> Result<Tokens> {
    let container = container(&input.attrs)?;
    let name = &input.ident;
    let (read, write) = match &input.data {
        Data::Struct(data) => {
            if container.tag.is_some() || container.snake_case {
                return Err(Error::new_spanned(name, "Wire: tag/rename_all on a struct"));
            }
            let fields = fields(&data.fields)?;
            let read = read_fields(&fields, quote!(Self), None, container.deny_unknown_fields);
            let binds = fields.iter().map(|f| &f.ident);
            let write = write_fields(&fields, false);
            (
                // A non-object fails at its first required field; only a struct whose fields
                // may all be missing needs to check that it is an object at all.
                if fields.iter().all(|f| f.may_be_missing) {
                    quote!(let o = ::tidings_wire::object(value)?; #read)
                } else {
                    quote!(let o = value; #read)
                },
                quote! {
                    let Self { #(#binds),* } = self;
                    out.push('{');
                    #write
                    out.push('}');
                },
            )
        }
        Data::Enum(data) => {
            let fieldless = data.variants.iter().all(|v| v.fields.is_empty());
            match (&container.tag, fieldless) {
                (None, true) => fieldless_enum(data, &container)?,
                (Some(tag), _) => tagged_enum(data, &container, tag)?,
                (None, false) => externally_tagged_enum(data, &container)?,
            }
        }
        Data::Union(_) => return Err(Error::new_spanned(name, "Wire: unions are not wire types")),
    };
    Ok(quote! {
        impl ::tidings_wire::FromJson for #name {
            fn from_json(value: &::tidings_wire::Json) -> ::core::option::Option<Self> {
                #read
            }
        }
        impl ::tidings_wire::ToJson for #name {
            fn to_json(&self, out: &mut ::std::string::String) {
                #write
            }
        }
    })
}

/// A fieldless enum is its variant's name as a JSON string.
fn fieldless_enum(data: &syn::DataEnum, container: &Container) -> Result<(Tokens, Tokens)> {
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    for variant in &data.variants {
        no_serde_attributes(&variant.attrs)?;
        let ident = &variant.ident;
        let wire_name = variant_name(ident, container);
        let gate = feature_gate(&variant.attrs)?;
        reads.push(quote!(#gate #wire_name => Self::#ident,));
        writes.push(quote!(Self::#ident => #wire_name,));
    }
    Ok((
        quote! {
            ::core::option::Option::Some(match value.as_str()? {
                #(#reads)*
                _ => return ::core::option::Option::None,
            })
        },
        quote!(::tidings_wire::name_str(out, match self { #(#writes)* });),
    ))
}

/// An internally tagged enum: `{"<tag>": "<variant>", …the variant's fields}`.
fn tagged_enum(data: &syn::DataEnum, container: &Container, tag: &str) -> Result<(Tokens, Tokens)> {
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    for variant in &data.variants {
        no_serde_attributes(&variant.attrs)?;
        let ident = &variant.ident;
        let wire_name = variant_name(ident, container);
        let gate = feature_gate(&variant.attrs)?;
        let fields = match &variant.fields {
            Fields::Unit => Vec::new(),
            Fields::Named(_) => fields(&variant.fields)?,
            Fields::Unnamed(_) => {
                return Err(Error::new_spanned(
                    variant,
                    "Wire: tuple variants are not supported",
                ))
            }
        };
        let read = read_fields(
            &fields,
            quote!(Self::#ident),
            Some(tag),
            container.deny_unknown_fields,
        );
        reads.push(quote!(#gate #wire_name => { #read }));
        let binds = fields.iter().map(|f| &f.ident);
        // `{"<tag>":"<variant>"` as one constant.
        let open = format!("{{\"{tag}\":\"{wire_name}\"");
        let write = write_fields(&fields, true);
        writes.push(quote! {
            Self::#ident { #(#binds),* } => {
                out.push_str(#open);
                #write
            }
        });
    }
    Ok((
        quote! {
            // A non-object has no tag: no need to check that it is an object first.
            let o = value;
            match ::tidings_wire::tag(o, #tag)? {
                #(#reads)*
                _ => ::core::option::Option::None,
            }
        },
        quote! {
            match self { #(#writes)* }
            out.push('}');
        },
    ))
}

/// An externally tagged enum (serde's default for an enum with data): a unit variant is its
/// name as a string, a struct variant `{"<variant>": {…its fields}}`. As serde_json does,
/// the reader also takes a unit variant as `{"<variant>": null}` and refuses an object with
/// any other key beside the variant's.
fn externally_tagged_enum(data: &syn::DataEnum, container: &Container) -> Result<(Tokens, Tokens)> {
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    for variant in &data.variants {
        no_serde_attributes(&variant.attrs)?;
        let ident = &variant.ident;
        let wire_name = variant_name(ident, container);
        let gate = feature_gate(&variant.attrs)?;
        match &variant.fields {
            Fields::Unit => {
                reads.push(quote! {
                    #gate (#wire_name, ::core::option::Option::None) => {
                        ::core::option::Option::Some(Self::#ident)
                    }
                });
                let text = format!("\"{wire_name}\"");
                writes.push(quote!(Self::#ident => out.push_str(#text),));
            }
            Fields::Named(_) => {
                let fields = fields(&variant.fields)?;
                let read = read_fields(
                    &fields,
                    quote!(Self::#ident),
                    None,
                    container.deny_unknown_fields,
                );
                // As for a struct: only fields that may all be missing need the object check.
                let object = fields
                    .iter()
                    .all(|f| f.may_be_missing)
                    .then(|| quote!(let o = ::tidings_wire::object(o)?;));
                reads.push(quote! {
                    #gate (#wire_name, ::core::option::Option::Some(o)) => { #object #read }
                });
                let binds = fields.iter().map(|f| &f.ident);
                // `{"<variant>":{` as one constant.
                let open = format!("{{\"{wire_name}\":{{");
                let write = write_fields(&fields, false);
                writes.push(quote! {
                    Self::#ident { #(#binds),* } => {
                        out.push_str(#open);
                        #write
                        out.push_str("}}");
                    }
                });
            }
            Fields::Unnamed(_) => {
                return Err(Error::new_spanned(
                    variant,
                    "Wire: tuple variants are not supported",
                ))
            }
        }
    }
    Ok((
        quote! {
            match ::tidings_wire::variant(value)? {
                #(#reads)*
                _ => ::core::option::Option::None,
            }
        },
        quote!(match self { #(#writes)* }),
    ))
}

/// `Some(Path { field: …, … })` read from the object `o`; with `deny_unknown_fields`, any
/// key but these (and the tag) refuses it, as serde does.
fn read_fields(fields: &[Field], path: Tokens, tag: Option<&str>, deny: bool) -> Tokens {
    let inits = fields.iter().map(|f| {
        let (ident, key) = (&f.ident, &f.key);
        if f.may_be_missing {
            quote!(#ident: ::tidings_wire::defaulted(o, #key)?)
        } else {
            quote!(#ident: ::tidings_wire::field(o, #key)?)
        }
    });
    let check = deny.then(|| {
        let keys = tag.into_iter().chain(fields.iter().map(|f| f.key.as_str()));
        quote! {
            if !::tidings_wire::only_keys(o, &[#(#keys),*]) {
                return ::core::option::Option::None;
            }
        }
    });
    quote! {
        #check
        ::core::option::Option::Some(#path { #(#inits),* })
    }
}

/// Each field as `"key":value` in declaration order, as serde writes them, leaving out
/// those whose `skip_serializing_if` holds. The fields are bound by name (`&T`).
///
/// `written_before`: something is always written before the first field (a tag). Where the
/// derive knows whether a comma is due, the key is one constant (`,"key":`); only a key
/// after fields that may all be skipped asks the text at run time.
fn write_fields(fields: &[Field], mut written_before: bool) -> Tokens {
    let mut writes = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        let (ident, key) = (&f.ident, &f.key);
        let key = if written_before {
            let text = format!(",\"{key}\":");
            quote!(out.push_str(#text);)
        } else if i == 0 {
            let text = format!("\"{key}\":");
            quote!(out.push_str(#text);)
        } else {
            quote!(::tidings_wire::key(out, #key);)
        };
        let write = quote! {
            #key
            ::tidings_wire::ToJson::to_json(#ident, out);
        };
        writes.push(match &f.skip_serializing_if {
            Some(skip) => quote!(if !#skip(#ident) { #write }),
            None => {
                written_before = true;
                write
            }
        });
    }
    quote!(#(#writes)*)
}

fn fields(fields: &Fields) -> Result<Vec<Field>> {
    let Fields::Named(named) = fields else {
        return Err(Error::new_spanned(
            fields,
            "Wire: only named fields are supported",
        ));
    };
    named
        .named
        .iter()
        .map(|field| {
            let ident = field.ident.clone().expect("named");
            let mut default = false;
            let mut skip_serializing_if = None;
            for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
                attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("default") {
                        if meta.input.peek(syn::Token![=]) {
                            return Err(meta.error("Wire: only a bare `default` is supported"));
                        }
                        default = true;
                    } else if meta.path.is_ident("skip_serializing_if") {
                        let path: LitStr = meta.value()?.parse()?;
                        skip_serializing_if = Some(path.parse::<Path>()?);
                    } else {
                        return Err(meta.error("Wire: this serde attribute is not supported"));
                    }
                    Ok(())
                })?;
            }
            if feature_gate(&field.attrs)?.is_some() {
                return Err(Error::new_spanned(field, "Wire: #[wire] goes on variants"));
            }
            Ok(Field {
                key: ident.to_string().trim_start_matches("r#").to_owned(),
                may_be_missing: default || is_option(&field.ty),
                skip_serializing_if,
                ident,
            })
        })
        .collect()
}

fn container(attrs: &[Attribute]) -> Result<Container> {
    let mut container = Container::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("tag") {
                container.tag = Some(meta.value()?.parse::<LitStr>()?.value());
            } else if meta.path.is_ident("rename_all") {
                let rule = meta.value()?.parse::<LitStr>()?;
                if rule.value() != "snake_case" {
                    return Err(Error::new_spanned(
                        rule,
                        "Wire: only snake_case is supported",
                    ));
                }
                container.snake_case = true;
            } else if meta.path.is_ident("deny_unknown_fields") {
                container.deny_unknown_fields = true;
            } else {
                return Err(meta.error("Wire: this serde attribute is not supported"));
            }
            Ok(())
        })?;
    }
    Ok(container)
}

/// Variants carry no serde attributes this codec would have to follow (`rename`, …).
fn no_serde_attributes(attrs: &[Attribute]) -> Result<()> {
    match attrs.iter().find(|a| a.path().is_ident("serde")) {
        Some(attr) => Err(Error::new_spanned(
            attr,
            "Wire: serde attributes on a variant",
        )),
        None => Ok(()),
    }
}

/// `#[cfg(feature = "…")]` for a variant marked `#[wire(feature = "…")]`.
fn feature_gate(attrs: &[Attribute]) -> Result<Option<Tokens>> {
    let mut gate = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("wire")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("feature") {
                let feature = meta.value()?.parse::<LitStr>()?;
                gate = Some(quote!(#[cfg(feature = #feature)]));
                Ok(())
            } else {
                Err(meta.error("Wire: expected #[wire(feature = \"…\")]"))
            }
        })?;
    }
    Ok(gate)
}

/// The variant's name on the wire, as serde's `rename_all` makes it.
fn variant_name(ident: &Ident, container: &Container) -> String {
    let name = ident.to_string();
    if !container.snake_case {
        return name;
    }
    let mut snake = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                snake.push('_');
            }
            snake.extend(c.to_lowercase());
        } else {
            snake.push(c);
        }
    }
    snake
}

/// Whether the field's type is an `Option` (by its last path segment, as serde decides).
fn is_option(ty: &Type) -> bool {
    match ty {
        Type::Path(path) => path
            .path
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "Option"),
        _ => false,
    }
}
