//! .NET assemblies (ECMA-335, partition II): the PE file's CLI header leads to the
//! metadata, whose tables name every type, method and member reference; each method's
//! body (read in [`crate::il`]) makes the view.

use crate::Format;
use crate::bytes::{Reader, Result};
use crate::il;
use crate::view::{View, quoted};
use std::collections::HashMap;

/// Tables this reader knows the layout of: 0x00 (Module) to 0x2C
/// (GenericParamConstraint). An assembly with any other table is refused, since the
/// tables after it could not be found.
const TABLES: usize = 0x2D;

const TYPE_REF: usize = 0x01;
const TYPE_DEF: usize = 0x02;
const FIELD: usize = 0x04;
const METHOD_DEF: usize = 0x06;
const PARAM: usize = 0x08;
const MEMBER_REF: usize = 0x0A;
const MODULE_REF: usize = 0x1A;
const TYPE_SPEC: usize = 0x1B;
const IMPL_MAP: usize = 0x1C;
const ASSEMBLY: usize = 0x20;
const METHOD_SPEC: usize = 0x2B;
const NESTED_CLASS: usize = 0x29;
const STAND_ALONE_SIG: usize = 0x11;

/// Whether `data` is a PE file whose CLI header directory is set.
pub(crate) fn has_cli_header(data: &[u8]) -> bool {
    Pe::parse(data).is_ok_and(|pe| pe.cli.0 != 0)
}

struct Pe<'a> {
    data: &'a [u8],
    /// (virtual address, virtual size, file offset, raw size) of each section.
    sections: Vec<(u32, u32, u32, u32)>,
    cli: (u32, u32),
}

impl<'a> Pe<'a> {
    fn parse(data: &'a [u8]) -> Result<Pe<'a>> {
        if !data.starts_with(b"MZ") {
            return Err("no MZ header".into());
        }
        let pe = Reader::at(data, 0x3C).u32le("PE header offset")? as usize;
        let mut r = Reader::at(data, pe);
        if r.take(4, "PE signature")? != b"PE\0\0" {
            return Err("no PE signature".into());
        }
        r.skip(2, "machine")?;
        let sections = r.u16le("section count")?;
        r.skip(12, "COFF header")?;
        let optional_size = usize::from(r.u16le("optional header size")?);
        r.skip(2, "characteristics")?;
        let optional = r.pos;
        let directories = match r.u16le("optional header magic")? {
            0x10B => optional + 96,
            0x20B => optional + 112,
            magic => return Err(format!("unknown optional header magic {magic:#x}")),
        };
        // The CLI header is data directory 14; a header too short to hold it has none.
        let cli_at = directories + 14 * 8;
        let cli = if cli_at + 8 <= optional + optional_size {
            let mut d = Reader::at(data, cli_at);
            (d.u32le("CLI directory")?, d.u32le("CLI directory size")?)
        } else {
            (0, 0)
        };
        let mut r = Reader::at(data, optional + optional_size);
        let mut table = Vec::with_capacity(usize::from(sections).min(96));
        for _ in 0..sections.min(96) {
            r.skip(8, "section name")?;
            let virtual_size = r.u32le("section size")?;
            let virtual_address = r.u32le("section address")?;
            let raw_size = r.u32le("section raw size")?;
            let raw_offset = r.u32le("section offset")?;
            r.skip(16, "section header")?;
            table.push((virtual_address, virtual_size, raw_offset, raw_size));
        }
        Ok(Pe {
            data,
            sections: table,
            cli,
        })
    }

    /// The file offset of a relative virtual address.
    fn offset(&self, rva: u32) -> Result<usize> {
        self.sections
            .iter()
            .find_map(|&(address, size, offset, raw)| {
                let within = rva.checked_sub(address)?;
                let _ = size;
                (within < raw).then(|| offset as usize + within as usize)
            })
            .filter(|&at| at < self.data.len())
            .ok_or_else(|| format!("address {rva:#x} is in no section"))
    }
}

/// The metadata heaps and tables of one assembly.
pub(crate) struct Metadata<'a> {
    strings: &'a [u8],
    user_strings: &'a [u8],
    blobs: &'a [u8],
    rows: [u32; TABLES],
    /// Where each table starts and how wide its rows are.
    tables: [(usize, usize); TABLES],
    /// The columns of every table, for reading a cell.
    layouts: Vec<Vec<usize>>,
    table_data: &'a [u8],
    /// Nested TypeDef row to enclosing TypeDef row.
    enclosing: std::collections::HashMap<u32, u32>,
}

impl<'a> Metadata<'a> {
    fn parse(pe: &Pe<'a>) -> Result<Metadata<'a>> {
        let mut cli = Reader::at(pe.data, pe.offset(pe.cli.0)?);
        cli.skip(8, "CLI header")?;
        let root_at = pe.offset(cli.u32le("metadata address")?)?;
        let root_size = cli.u32le("metadata size")? as usize;
        let root = pe
            .data
            .get(root_at..root_at.saturating_add(root_size).min(pe.data.len()))
            .ok_or("metadata lies outside the file")?;
        let mut r = Reader::new(root);
        if r.u32le("metadata signature")? != 0x424A_5342 {
            return Err("no metadata signature (BSJB)".into());
        }
        r.skip(8, "metadata version")?;
        let version_length = r.u32le("metadata version length")? as usize;
        r.skip(version_length, "metadata version")?;
        r.skip(2, "metadata flags")?;
        let streams = r.u16le("stream count")?;
        let (mut strings, mut user_strings, mut blobs, mut tables): (&[u8], &[u8], &[u8], &[u8]) =
            (&[], &[], &[], &[]);
        for _ in 0..streams.min(16) {
            let offset = r.u32le("stream offset")? as usize;
            let size = r.u32le("stream size")? as usize;
            let name_start = r.pos;
            let name_length = root[name_start..]
                .iter()
                .take(32)
                .position(|&b| b == 0)
                .ok_or("stream name is not terminated")?;
            let name = &root[name_start..name_start + name_length];
            r.skip((name_length + 4) & !3, "stream name")?;
            let body = root
                .get(offset..offset.saturating_add(size))
                .ok_or_else(|| {
                    format!(
                        "stream {} lies outside the metadata",
                        String::from_utf8_lossy(name)
                    )
                })?;
            match name {
                b"#Strings" => strings = body,
                b"#US" => user_strings = body,
                b"#Blob" => blobs = body,
                // The runtime does not hold the tables to the stream's declared size;
                // they are read up to the end of the metadata.
                b"#~" | b"#-" => tables = &root[offset..],
                _ => {}
            }
        }
        if tables.is_empty() {
            return Err("no metadata tables stream".into());
        }
        // Bits past the known tables: the standard gives each a row count, while Mono
        // reads none for them (and runs such a file). Where they are set, both readings
        // are tried, and the one whose first type is the `<Module>` every compiler
        // writes is taken.
        let standard = Self::tables(strings, user_strings, blobs, tables, true);
        if !unknown_tables(tables) {
            return standard;
        }
        let lenient = Self::tables(strings, user_strings, blobs, tables, false);
        let sane = |m: &Result<Metadata>| {
            m.as_ref()
                .is_ok_and(|m| m.string(m.cell(TYPE_DEF, 1, 1)) == "<Module>")
        };
        match (sane(&standard), sane(&lenient)) {
            (false, true) => lenient,
            _ if standard.is_err() => lenient,
            _ => standard,
        }
    }

    fn tables(
        strings: &'a [u8],
        user_strings: &'a [u8],
        blobs: &'a [u8],
        data: &'a [u8],
        counts_of_unknown: bool,
    ) -> Result<Metadata<'a>> {
        let mut r = Reader::new(data);
        r.skip(6, "tables header")?;
        let heap_sizes = r.u8("heap sizes")?;
        r.skip(1, "reserved")?;
        let valid =
            u64::from(r.u32le("valid tables")?) | (u64::from(r.u32le("valid tables")?) << 32);
        r.skip(8, "sorted tables")?;
        let mut rows = [0u32; TABLES];
        for table in 0..64 {
            if valid & (1 << table) != 0 && (table < TABLES || counts_of_unknown) {
                let count = r.u32le("row count")?;
                // Tables past the known ones (the runtime ignores them as well) come
                // after them: their counts are read, their rows never reached.
                if let Some(slot) = rows.get_mut(table) {
                    *slot = count;
                }
            }
        }
        // Uncompressed (#-) tables may carry 4 extra bytes.
        if heap_sizes & 0x40 != 0 {
            r.skip(4, "extra data")?;
        }
        let layouts = layouts(heap_sizes, &rows);
        let mut tables = [(0usize, 0usize); TABLES];
        let mut at = r.pos;
        for table in 0..TABLES {
            let width: usize = layouts[table].iter().sum();
            tables[table] = (at, width);
            at = (rows[table] as usize)
                .checked_mul(width)
                .and_then(|size| at.checked_add(size))
                .filter(|&end| end <= data.len())
                .ok_or_else(|| format!("metadata table {table:#x} runs past its stream"))?;
        }
        let mut metadata = Metadata {
            strings,
            user_strings,
            blobs,
            rows,
            tables,
            layouts,
            table_data: data,
            enclosing: std::collections::HashMap::new(),
        };
        for row in 1..=metadata.rows[NESTED_CLASS] {
            let nested = metadata.cell(NESTED_CLASS, row, 0);
            let enclosing = metadata.cell(NESTED_CLASS, row, 1);
            metadata.enclosing.insert(nested, enclosing);
        }
        Ok(metadata)
    }

    /// Column `column` of 1-based row `row` of `table`, or 0 for a row that is absent.
    fn cell(&self, table: usize, row: u32, column: usize) -> u32 {
        if row == 0 || row > self.rows[table] {
            return 0;
        }
        let (start, width) = self.tables[table];
        let layout = &self.layouts[table];
        let at = start + (row as usize - 1) * width + layout[..column].iter().sum::<usize>();
        let bytes = &self.table_data[at..at + layout[column]];
        match bytes.len() {
            1 => u32::from(bytes[0]),
            2 => u32::from(u16::from_le_bytes([bytes[0], bytes[1]])),
            _ => u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
        }
    }

    /// A name from the strings heap, cut at 256 bytes: names are rebuilt at every call
    /// instruction, and a hostile one must not make each of them cost more.
    fn string(&self, index: u32) -> &'a str {
        let rest = self.strings.get(index as usize..).unwrap_or_default();
        let end = rest
            .iter()
            .take(256)
            .position(|&b| b == 0)
            .unwrap_or(rest.len().min(256));
        let mut name = &rest[..end];
        while std::str::from_utf8(name).is_err() && !name.is_empty() && end - name.len() < 4 {
            name = &name[..name.len() - 1];
        }
        std::str::from_utf8(name).unwrap_or("?")
    }

    fn blob(&self, index: u32) -> &'a [u8] {
        let mut r = Reader::at(self.blobs, index as usize);
        match r.compressed("blob length") {
            Ok(length) => r.take(length as usize, "blob").unwrap_or_default(),
            Err(_) => &[],
        }
    }

    /// The string an `ldstr` token points at, from the user-string heap (UTF-16).
    pub(crate) fn user_string(&self, index: u32) -> Option<String> {
        let mut r = Reader::at(self.user_strings, index as usize);
        let length = r.compressed("user string length").ok()? as usize;
        let bytes = r.take(length, "user string").ok()?;
        // The last byte is a flag, not part of the text.
        let units: Vec<u16> = bytes[..length.saturating_sub(1) & !1]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        Some(String::from_utf16_lossy(&units))
    }

    fn type_ref_name(&self, row: u32, depth: u32) -> String {
        let name = self.string(self.cell(TYPE_REF, row, 1));
        let namespace = self.string(self.cell(TYPE_REF, row, 2));
        let scope = self.cell(TYPE_REF, row, 0);
        // A nested type's resolution scope is the type that encloses it.
        if scope & 3 == 3 && depth < 8 {
            return format!("{}.{name}", self.type_ref_name(scope >> 2, depth + 1));
        }
        qualified(namespace, name)
    }

    fn type_def_name(&self, row: u32) -> String {
        let mut name = qualified(
            self.string(self.cell(TYPE_DEF, row, 2)),
            self.string(self.cell(TYPE_DEF, row, 1)),
        );
        // A nested type is named inside the types that enclose it (a hostile table may
        // loop: the depth is bounded).
        let mut current = row;
        for _ in 0..8 {
            let Some(&outer) = self.enclosing.get(&current) else {
                break;
            };
            name = format!(
                "{}.{name}",
                qualified(
                    self.string(self.cell(TYPE_DEF, outer, 2)),
                    self.string(self.cell(TYPE_DEF, outer, 1)),
                )
            );
            current = outer;
        }
        name
    }

    /// A TypeDefOrRef coded index (2 tag bits).
    fn type_name(&self, coded: u32) -> String {
        match coded & 3 {
            0 => self.type_def_name(coded >> 2),
            1 => self.type_ref_name(coded >> 2, 0),
            _ => self.type_spec_name(coded >> 2),
        }
    }

    /// A generic instance's type, which is all a call on `List<T>` needs to be named.
    fn type_spec_name(&self, row: u32) -> String {
        let blob = self.blob(self.cell(TYPE_SPEC, row, 0));
        let mut r = Reader::new(blob);
        if let (Ok(0x15), Ok(0x11 | 0x12), Ok(coded)) = (
            r.u8("generic instance"),
            r.u8("class or value type"),
            r.compressed("generic type"),
        ) && coded & 3 != 2
        {
            return self.type_name(coded);
        }
        "?".into()
    }

    /// The type that declares MethodDef `row`.
    fn declaring_type(&self, row: u32) -> String {
        self.owner(5, row)
    }

    /// The last type whose list in `column` (4: fields, 5: methods) starts at or
    /// before `row`: the type that declares that field or method.
    fn owner(&self, column: usize, row: u32) -> String {
        match self.owner_row(column, row) {
            0 => "?".into(),
            owner => self.type_def_name(owner),
        }
    }

    /// The TypeDef row of [`Metadata::owner`], 0 for none.
    fn owner_row(&self, column: usize, row: u32) -> u32 {
        let types = self.rows[TYPE_DEF];
        let (mut low, mut high) = (1, types + 1);
        while low < high {
            let middle = low + (high - low) / 2;
            if self.cell(TYPE_DEF, middle, column) <= row {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        low - 1
    }

    /// The signature a `calli` token (a StandAloneSig row) gives.
    pub(crate) fn standalone_signature(&self, token: u32) -> Option<Signature> {
        ((token >> 24) as usize == STAND_ALONE_SIG)
            .then(|| signature(self.blob(self.cell(STAND_ALONE_SIG, token & 0x00FF_FFFF, 0))))
    }

    /// What a call, newobj or ldftn token names: declaring type, name and signature.
    pub(crate) fn method(&self, token: u32) -> Option<(String, &'a str, Signature)> {
        let row = token & 0x00FF_FFFF;
        match (token >> 24) as usize {
            METHOD_DEF => Some((
                self.declaring_type(row),
                self.string(self.cell(METHOD_DEF, row, 3)),
                signature(self.blob(self.cell(METHOD_DEF, row, 4))),
            )),
            MEMBER_REF => {
                let parent = self.cell(MEMBER_REF, row, 0);
                let owner = match parent & 7 {
                    0 => self.type_def_name(parent >> 3),
                    1 => self.type_ref_name(parent >> 3, 0),
                    2 => self
                        .string(self.cell(MODULE_REF, parent >> 3, 0))
                        .to_string(),
                    3 => self.declaring_type(parent >> 3),
                    _ => self.type_spec_name(parent >> 3),
                };
                Some((
                    owner,
                    self.string(self.cell(MEMBER_REF, row, 1)),
                    signature(self.blob(self.cell(MEMBER_REF, row, 2))),
                ))
            }
            METHOD_SPEC => {
                let method = self.cell(METHOD_SPEC, row, 0);
                let table = if method & 1 == 0 {
                    METHOD_DEF
                } else {
                    MEMBER_REF
                };
                self.method(((table as u32) << 24) | (method >> 1))
            }
            _ => None,
        }
    }
}

impl Metadata<'_> {
    /// What an ldfld, ldsfld or stfld token names: `Type.Field`.
    pub(crate) fn field(&self, token: u32) -> String {
        let row = token & 0x00FF_FFFF;
        match (token >> 24) as usize {
            FIELD => format!(
                "{}.{}",
                self.owner(4, row),
                self.string(self.cell(FIELD, row, 1))
            ),
            MEMBER_REF => match self.method(token) {
                Some((owner, name, _)) => format!("{owner}.{name}"),
                None => "?".into(),
            },
            _ => "?".into(),
        }
    }
}

fn qualified(namespace: &str, name: &str) -> String {
    if namespace.is_empty() {
        name.to_string()
    } else {
        format!("{namespace}.{name}")
    }
}

/// Whether a tables stream sets bits past the tables this reader knows.
fn unknown_tables(data: &[u8]) -> bool {
    let mut r = Reader::at(data, 8);
    let valid = (r.u32le("valid tables"), r.u32le("valid tables"));
    matches!(valid, (Ok(low), Ok(high)) if ((u64::from(high) << 32) | u64::from(low)) >> TABLES != 0)
}

/// What a call needs of a method signature blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Signature {
    pub params: usize,
    /// An instance method: the receiver is an operand too.
    pub has_this: bool,
    /// The method returns a value (its result is pushed).
    pub returns: bool,
}

/// Reads a method signature: calling convention, generic count if generic, parameter
/// count, then the return type after any custom modifiers.
fn signature(blob: &[u8]) -> Signature {
    let mut r = Reader::new(blob);
    let Ok(convention) = r.u8("calling convention") else {
        return Signature::default();
    };
    if convention & 0x10 != 0 && r.compressed("generic count").is_err() {
        return Signature::default();
    }
    let params = r.compressed("parameter count").map_or(0, |n| n as usize);
    let mut returns = true;
    while let Ok(element) = r.u8("return type") {
        match element {
            // Custom modifiers name a type after them.
            0x1F | 0x20 => {
                if r.compressed("modifier type").is_err() {
                    break;
                }
            }
            0x01 => {
                returns = false;
                break;
            }
            _ => break,
        }
    }
    Signature {
        params,
        // HASTHIS without EXPLICITTHIS: the receiver is not among the parameters.
        has_this: convention & 0x60 == 0x20,
        returns,
    }
}

/// The width in bytes of every column of every table, from the heap sizes and the row
/// counts (ECMA-335 II.22).
fn layouts(heap_sizes: u8, rows: &[u32; TABLES]) -> Vec<Vec<usize>> {
    let string = if heap_sizes & 1 != 0 { 4 } else { 2 };
    let guid = if heap_sizes & 2 != 0 { 4 } else { 2 };
    let blob = if heap_sizes & 4 != 0 { 4 } else { 2 };
    let index = |table: usize| if rows[table] > 0xFFFF { 4 } else { 2 };
    let coded = |bits: u32, tables: &[usize]| {
        let most = tables
            .iter()
            .map(|&t| rows.get(t).copied().unwrap_or(0))
            .max()
            .unwrap_or(0);
        if most >= 1 << (16 - bits) { 4 } else { 2 }
    };
    // Table numbers no assembly uses stand in for the unused tags of CustomAttributeType.
    const NONE: usize = usize::MAX;
    let type_def_or_ref = coded(2, &[0x02, 0x01, 0x1B]);
    let has_constant = coded(2, &[0x04, 0x08, 0x17]);
    let has_custom_attribute = coded(
        5,
        &[
            0x06, 0x04, 0x01, 0x02, 0x08, 0x09, 0x0A, 0x00, 0x0E, 0x17, 0x14, 0x11, 0x1A, 0x1B,
            0x20, 0x23, 0x26, 0x27, 0x28, 0x2A, 0x2C, 0x2B,
        ],
    );
    let has_field_marshal = coded(1, &[0x04, 0x08]);
    let has_decl_security = coded(2, &[0x02, 0x06, 0x20]);
    let member_ref_parent = coded(3, &[0x02, 0x01, 0x1A, 0x06, 0x1B]);
    let has_semantics = coded(1, &[0x14, 0x17]);
    let method_def_or_ref = coded(1, &[0x06, 0x0A]);
    let member_forwarded = coded(1, &[0x04, 0x06]);
    let implementation = coded(2, &[0x26, 0x23, 0x27]);
    let custom_attribute_type = coded(3, &[NONE, NONE, 0x06, 0x0A, NONE]);
    let resolution_scope = coded(2, &[0x00, 0x1A, 0x23, 0x01]);
    let type_or_method_def = coded(1, &[0x02, 0x06]);
    vec![
        vec![2, string, guid, guid, guid],      // Module
        vec![resolution_scope, string, string], // TypeRef
        vec![
            4,
            string,
            string,
            type_def_or_ref,
            index(FIELD),
            index(METHOD_DEF),
        ], // TypeDef
        vec![index(FIELD)],                     // FieldPtr
        vec![2, string, blob],                  // Field
        vec![index(METHOD_DEF)],                // MethodPtr
        vec![4, 2, 2, string, blob, index(PARAM)], // MethodDef
        vec![index(PARAM)],                     // ParamPtr
        vec![2, 2, string],                     // Param
        vec![index(TYPE_DEF), type_def_or_ref], // InterfaceImpl
        vec![member_ref_parent, string, blob],  // MemberRef
        vec![2, has_constant, blob],            // Constant
        vec![has_custom_attribute, custom_attribute_type, blob], // CustomAttribute
        vec![has_field_marshal, blob],          // FieldMarshal
        vec![2, has_decl_security, blob],       // DeclSecurity
        vec![2, 4, index(TYPE_DEF)],            // ClassLayout
        vec![4, index(FIELD)],                  // FieldLayout
        vec![blob],                             // StandAloneSig
        vec![index(TYPE_DEF), index(0x14)],     // EventMap
        vec![index(0x14)],                      // EventPtr
        vec![2, string, type_def_or_ref],       // Event
        vec![index(TYPE_DEF), index(0x17)],     // PropertyMap
        vec![index(0x17)],                      // PropertyPtr
        vec![2, string, blob],                  // Property
        vec![2, index(METHOD_DEF), has_semantics], // MethodSemantics
        vec![index(TYPE_DEF), method_def_or_ref, method_def_or_ref], // MethodImpl
        vec![string],                           // ModuleRef
        vec![blob],                             // TypeSpec
        vec![2, member_forwarded, string, index(MODULE_REF)], // ImplMap
        vec![4, index(FIELD)],                  // FieldRVA
        vec![4, 4],                             // EncLog
        vec![4],                                // EncMap
        vec![4, 2, 2, 2, 2, 4, blob, string, string], // Assembly
        vec![4],                                // AssemblyProcessor
        vec![4, 4, 4],                          // AssemblyOS
        vec![2, 2, 2, 2, 4, blob, string, string, blob], // AssemblyRef
        vec![4, index(0x23)],                   // AssemblyRefProcessor
        vec![4, 4, 4, index(0x23)],             // AssemblyRefOS
        vec![4, string, blob],                  // File
        vec![4, 4, string, string, implementation], // ExportedType
        vec![4, 4, string, implementation],     // ManifestResource
        vec![index(TYPE_DEF), index(TYPE_DEF)], // NestedClass
        vec![2, 2, type_or_method_def, string], // GenericParam
        vec![method_def_or_ref, blob],          // MethodSpec
        vec![index(0x2A), type_def_or_ref],     // GenericParamConstraint
    ]
}

pub(crate) fn read(data: &[u8]) -> Result<View> {
    let pe = Pe::parse(data)?;
    let metadata = Metadata::parse(&pe)?;
    let mut view = View::new(Format::DotNet);
    if metadata.rows[ASSEMBLY] > 0 {
        let name = metadata.string(metadata.cell(ASSEMBLY, 1, 7));
        view.line(&format!("// assembly {name}"));
    }
    // Native functions the assembly imports: the Win32 calls of shellcode loaders and
    // injectors are declared here, whatever the methods that call them are named.
    for row in 1..=metadata.rows[IMPL_MAP] {
        let import = metadata.string(metadata.cell(IMPL_MAP, row, 2));
        let module = metadata.string(metadata.cell(MODULE_REF, metadata.cell(IMPL_MAP, row, 3), 0));
        view.line(&format!("[DllImport({})] extern {import}", quoted(module)));
    }
    // Method bodies may overlap or be shared by many methods: the code read is
    // bounded by a multiple of the file, whatever the tables say.
    let mut budget = data.len().saturating_mul(4).max(1 << 20);
    let mut literals = HashMap::new();
    // Type initializers first (the module's among them, which runs on load), so that a
    // view filled up by padding methods still holds what runs first.
    let initializer = |row: u32| metadata.string(metadata.cell(METHOD_DEF, row, 3)) == ".cctor";
    let rows = (1..=metadata.rows[METHOD_DEF])
        .filter(|&row| initializer(row))
        .chain((1..=metadata.rows[METHOD_DEF]).filter(|&row| !initializer(row)));
    for row in rows {
        if view.full() {
            break;
        }
        let rva = metadata.cell(METHOD_DEF, row, 0);
        if rva == 0 {
            continue;
        }
        let name = format!(
            "{}::{}",
            metadata.declaring_type(row),
            metadata.string(metadata.cell(METHOD_DEF, row, 3))
        );
        // The runtime runs the type initializer of the first type, whatever its name,
        // when the module loads.
        if initializer(row) && metadata.owner_row(5, row) == 1 {
            view.method_on_load(&name);
        } else {
            view.method(&name);
        }
        // A method the runtime never compiles may hold anything: one unreadable body
        // must not hide the others.
        let read = pe
            .offset(rva)
            .and_then(|body| il::read_body(&pe.data[body..], &metadata, &mut literals, &mut view));
        match read {
            Ok(read) => budget = budget.saturating_sub(read.max(1)),
            Err(error) => {
                if view.unreadable.len() < 16 {
                    view.unreadable.push(format!("method {name}: {error}"));
                }
                budget = budget.saturating_sub(64);
            }
        }
        if budget == 0 {
            view.truncated = true;
            break;
        }
    }
    Ok(view)
}
