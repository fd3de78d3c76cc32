using System.Globalization;
using System.Text;

namespace PgBackupTools.Engine.Postgres;

/// <summary>
/// Reads the table of contents (WriteToc in pg_backup_archiver.c plus the custom format's _WriteExtraToc offset)
/// entry by entry, keeping the names and skipping the SQL statements without copying them.
/// </summary>
internal sealed class CustomArchiveScannerTocReader
{
    private const byte OffsetNoData = 3; // K_OFFSET_NO_DATA

    private readonly CustomArchiveScannerFieldReader _fields;
    private readonly Version _version;
    private readonly List<CustomArchiveScannerTocEntry> _entries = [];
    private readonly Dictionary<int, CustomArchiveScannerTocEntry> _byDumpId = [];
    private Encoding _encoding = Encoding.UTF8;
    private Step _step = Step.Count;
    private long _count;
    private EntryBuilder _entry = new();

    public CustomArchiveScannerTocReader(CustomArchiveScannerFieldReader fields, Version version)
    {
        _fields = fields;
        _version = version;
    }

    private enum Step
    {
        Count,
        DumpId,
        HadDumper,
        CatalogTableOid,
        CatalogOid,
        Tag,
        Desc,
        Section,
        Definition,
        DropStatement,
        CopyStatement,
        Namespace,
        Tablespace,
        TableAccessMethod,
        RelKind,
        Owner,
        WithOids,
        Dependency,
        DataOffset,
        Done,
    }

    public IReadOnlyList<CustomArchiveScannerTocEntry> Entries => _entries;

    public string? EncodingName { get; private set; }

    public bool IsDone => _step == Step.Done;

    public CustomArchiveScannerTocEntry? Find(int dumpId) => _byDumpId.GetValueOrDefault(dumpId);

    /// <summary>Consumes TOC bytes; true once the last entry is complete (the rest of the input is left).</summary>
    public bool TryAdvance(ref ReadOnlySpan<byte> input)
    {
        while (_step != Step.Done)
        {
            if (!TryReadStep(ref input))
                return false;
        }

        return true;
    }

    private bool TryReadStep(ref ReadOnlySpan<byte> input)
    {
        switch (_step)
        {
            case Step.Count:
                if (!_fields.TryReadInt(ref input, out _count))
                    return false;
                if (_count < 0)
                    throw CustomArchiveScannerErrors.Malformed($"its table of contents claims {_count} entries");
                _step = _count == 0 ? Step.Done : Step.DumpId;
                return true;

            case Step.DumpId:
            {
                if (!_fields.TryReadInt(ref input, out var dumpId))
                    return false;
                if (dumpId <= 0 || _byDumpId.ContainsKey((int)dumpId))
                    throw CustomArchiveScannerErrors.Malformed($"TOC entry {_entries.Count + 1} has the invalid or repeated dump id {dumpId}");
                _entry = new EntryBuilder { DumpId = (int)dumpId };
                _step = Step.HadDumper;
                return true;
            }

            case Step.HadDumper:
            {
                if (!_fields.TryReadInt(ref input, out var hadDumper))
                    return false;
                _entry.HadDumper = hadDumper != 0;
                _step = Step.CatalogTableOid;
                return true;
            }

            case Step.CatalogTableOid:
            {
                if (!TryReadText(ref input, out var text))
                    return false;
                _entry.CatalogTableOid = ParseOid(text);
                _step = Step.CatalogOid;
                return true;
            }

            case Step.CatalogOid:
            {
                if (!TryReadText(ref input, out var text))
                    return false;
                _entry.CatalogOid = ParseOid(text);
                _step = Step.Tag;
                return true;
            }

            case Step.Tag:
            {
                if (!TryReadText(ref input, out var text))
                    return false;
                _entry.Tag = text ?? "";
                _step = Step.Desc;
                return true;
            }

            case Step.Desc:
            {
                if (!TryReadText(ref input, out var text))
                    return false;
                _entry.Desc = text ?? "";
                _step = Step.Section;
                return true;
            }

            case Step.Section:
            {
                if (!_fields.TryReadInt(ref input, out var section))
                    return false;
                if (section is < (int)CustomArchiveScannerSection.None or > (int)CustomArchiveScannerSection.PostData)
                    throw CustomArchiveScannerErrors.Malformed($"TOC entry {_entry.DumpId} has the unknown section {section}");
                _entry.Section = (CustomArchiveScannerSection)section;
                _step = Step.Definition;
                return true;
            }

            case Step.Definition:
            {
                // Only the ENCODING entry's definition is needed: it says how the following names are encoded.
                var isEncoding = _entry.Desc == "ENCODING";
                if (!_fields.TryReadString(ref input, keep: isEncoding, out var length, out var bytes))
                    return false;
                if (isEncoding && length >= 0)
                    ApplyEncoding(Encoding.UTF8.GetString(bytes));
                _step = Step.DropStatement;
                return true;
            }

            case Step.DropStatement:
                if (!_fields.TryReadString(ref input, keep: false, out _, out _))
                    return false;
                _step = Step.CopyStatement;
                return true;

            case Step.CopyStatement:
            {
                if (!_fields.TryReadString(ref input, keep: false, out var length, out _))
                    return false;
                _entry.HasCopyStatement = length > 0;
                _step = Step.Namespace;
                return true;
            }

            case Step.Namespace:
            {
                if (!TryReadText(ref input, out var text))
                    return false;
                _entry.Namespace = string.IsNullOrEmpty(text) ? null : text;
                _step = Step.Tablespace;
                return true;
            }

            case Step.Tablespace:
            {
                if (!TryReadText(ref input, out var text))
                    return false;
                _entry.Tablespace = string.IsNullOrEmpty(text) ? null : text;
                _step = _version >= CustomArchiveScannerVersions.TableAm ? Step.TableAccessMethod : Step.Owner;
                return true;
            }

            case Step.TableAccessMethod:
            {
                if (!TryReadText(ref input, out var text))
                    return false;
                _entry.TableAccessMethod = string.IsNullOrEmpty(text) ? null : text;
                _step = _version >= CustomArchiveScannerVersions.RelKind ? Step.RelKind : Step.Owner;
                return true;
            }

            case Step.RelKind:
            {
                if (!_fields.TryReadInt(ref input, out var relKind))
                    return false;
                _entry.RelKind = relKind is > 0 and <= 127 ? (char)relKind : null;
                _step = Step.Owner;
                return true;
            }

            case Step.Owner:
            {
                if (!TryReadText(ref input, out var text))
                    return false;
                _entry.Owner = string.IsNullOrEmpty(text) ? null : text;
                _step = Step.WithOids;
                return true;
            }

            case Step.WithOids:
                if (!_fields.TryReadString(ref input, keep: false, out _, out _))
                    return false;
                _step = Step.Dependency;
                return true;

            case Step.Dependency:
            {
                if (!TryReadText(ref input, out var text))
                    return false;
                if (text is null)
                    _step = Step.DataOffset;
                else
                    _entry.Dependencies.Add(ParseDumpId(text));
                return true;
            }

            case Step.DataOffset:
            {
                if (!_fields.TryReadOffsetFlag(ref input, out var flag))
                    return false;
                _entry.HasData = _entry.HadDumper && flag != OffsetNoData;
                AddEntry(_entry.Build());
                _step = _entries.Count == _count ? Step.Done : Step.DumpId;
                return true;
            }

            default:
                throw new InvalidOperationException($"Unexpected TOC step {_step}.");
        }
    }

    private void AddEntry(CustomArchiveScannerTocEntry entry)
    {
        if (entry.HasData && entry.Desc == "TABLE DATA" && !_entry.HasCopyStatement)
        {
            // pg_dump --inserts writes INSERT statements, whose line count is not a row count.
            throw CustomArchiveScannerErrors.Unsupported(
                $"the data of table {entry.Namespace}.{entry.Tag} is not in COPY format, so its rows cannot be counted; " +
                "do not pass --inserts, --column-inserts or --rows-per-insert to pg_dump");
        }

        _entries.Add(entry);
        _byDumpId.Add(entry.DumpId, entry);
    }

    private void ApplyEncoding(string definition)
    {
        EncodingName = CustomArchiveScannerEncodings.NameFromDefinition(definition);
        if (EncodingName is not null)
            _encoding = CustomArchiveScannerEncodings.ForPostgresName(EncodingName);
    }

    private bool TryReadText(ref ReadOnlySpan<byte> input, out string? text)
    {
        text = null;
        if (!_fields.TryReadString(ref input, keep: true, out var length, out var bytes))
            return false;
        if (length >= 0)
            text = _encoding.GetString(bytes);
        return true;
    }

    private uint ParseOid(string? text)
    {
        if (text is null || !uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var oid))
            throw CustomArchiveScannerErrors.Malformed($"TOC entry {_entry.DumpId} has the invalid oid '{text}'");
        return oid;
    }

    private int ParseDumpId(string text)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            throw CustomArchiveScannerErrors.Malformed($"TOC entry {_entry.DumpId} has the invalid dependency '{text}'");
        return id;
    }

    private sealed class EntryBuilder
    {
        public int DumpId;
        public bool HadDumper;
        public uint CatalogTableOid;
        public uint CatalogOid;
        public string Tag = "";
        public string Desc = "";
        public CustomArchiveScannerSection Section;
        public bool HasCopyStatement;
        public string? Namespace;
        public string? Tablespace;
        public string? TableAccessMethod;
        public char? RelKind;
        public string? Owner;
        public readonly List<int> Dependencies = [];
        public bool HasData;

        public CustomArchiveScannerTocEntry Build() => new()
        {
            DumpId = DumpId,
            Section = Section,
            Desc = Desc,
            Namespace = Namespace,
            Tag = Tag,
            Owner = Owner,
            Tablespace = Tablespace,
            TableAccessMethod = TableAccessMethod,
            RelKind = RelKind,
            CatalogTableOid = CatalogTableOid,
            CatalogOid = CatalogOid,
            HasData = HasData,
            Dependencies = Dependencies.ToArray(),
        };
    }
}
