using Tomlyn.Syntax;

namespace IkeSharp.Daemon.Config;

/// <summary>
/// A TOML document as plain nodes that remember where they were written (1-based line and
/// column), built from Tomlyn's syntax tree. Tomlyn's validation has already refused redefined
/// keys and tables, so the builder keeps the first of anything it meets twice.
/// </summary>
internal abstract class TomlNode(int line, int column)
{
    public int Line { get; } = line;

    public int Column { get; } = column;

    /// <summary>The TOML type as a person says it: string, integer, boolean, table, ...</summary>
    public abstract string TypeName { get; }

    /// <summary>The value as written, shortened, for messages.</summary>
    public abstract string Shown { get; }
}

internal sealed class TomlTableNode(int line, int column) : TomlNode(line, column)
{
    private readonly List<TomlEntry> entries = [];

    public IReadOnlyList<TomlEntry> Entries => entries;

    public override string TypeName => "table";

    public override string Shown => "a table";

    public TomlEntry? Find(string key) => entries.Find(e => e.Key == key);

    public void Add(TomlEntry entry)
    {
        if (Find(entry.Key) is null)
        {
            entries.Add(entry);
        }
    }
}

internal sealed class TomlArrayNode(int line, int column, IReadOnlyList<TomlNode> items) : TomlNode(line, column)
{
    public IReadOnlyList<TomlNode> Items { get; } = items;

    public override string TypeName => "array";

    public override string Shown => "an array";
}

internal sealed class TomlValueNode(int line, int column, object value, string typeName) : TomlNode(line, column)
{
    public object Value { get; } = value;

    public override string TypeName { get; } = typeName;

    public override string Shown => Value switch
    {
        string s => $"{TypeName} \"{(s.Length > 40 ? s[..40] + "..." : s)}\"",
        bool b => $"{TypeName} {(b ? "true" : "false")}",
        IFormattable f => $"{TypeName} {f.ToString(null, System.Globalization.CultureInfo.InvariantCulture)}",
        _ => $"{TypeName} {Value}",
    };
}

/// <summary>A key of a table, where the key was written, and its value.</summary>
internal sealed record TomlEntry(string Key, int Line, int Column, TomlNode Value);

internal static class TomlTreeBuilder
{
    public static TomlTableNode Build(DocumentSyntax document)
    {
        var root = new TomlTableNode(1, 1);
        foreach (KeyValueSyntax kv in document.KeyValues)
        {
            AddKeyValue(root, kv);
        }

        foreach (TableSyntaxBase table in document.Tables)
        {
            if (table.Name is null)
            {
                continue;
            }

            List<string> keys = KeyParts(table.Name);
            (int line, int column) = Position(table.Span);
            TomlTableNode target;
            if (table is TableArraySyntax)
            {
                TomlTableNode parent = Navigate(root, keys[..^1], line, column);
                var element = new TomlTableNode(line, column);
                if (parent.Find(keys[^1]) is { Value: TomlArrayNode existing })
                {
                    ((List<TomlNode>)existing.Items).Add(element);
                }
                else
                {
                    parent.Add(new TomlEntry(keys[^1], line, column, new TomlArrayNode(line, column, new List<TomlNode> { element })));
                }

                target = element;
            }
            else
            {
                target = Navigate(root, keys, line, column);
            }

            foreach (KeyValueSyntax kv in table.Items)
            {
                AddKeyValue(target, kv);
            }
        }

        return root;
    }

    private static void AddKeyValue(TomlTableNode table, KeyValueSyntax kv)
    {
        if (kv.Key is null || kv.Value is null)
        {
            return;
        }

        List<string> keys = KeyParts(kv.Key);
        (int line, int column) = Position(kv.Span);
        TomlTableNode parent = Navigate(table, keys[..^1], line, column);
        if (Convert(kv.Value) is { } value)
        {
            parent.Add(new TomlEntry(keys[^1], line, column, value));
        }
    }

    /// <summary>The table at <paramref name="keys"/> below <paramref name="table"/>, made where missing (the last element of an array of tables).</summary>
    private static TomlTableNode Navigate(TomlTableNode table, List<string> keys, int line, int column)
    {
        TomlTableNode current = table;
        foreach (string key in keys)
        {
            switch (current.Find(key)?.Value)
            {
                case TomlTableNode next:
                    current = next;
                    break;
                case TomlArrayNode { Items: [.., TomlTableNode last] }:
                    current = last;
                    break;
                default:
                    var made = new TomlTableNode(line, column);
                    current.Add(new TomlEntry(key, line, column, made));
                    current = made;
                    break;
            }
        }

        return current;
    }

    private static TomlNode? Convert(ValueSyntax value)
    {
        (int line, int column) = Position(value.Span);
        switch (value)
        {
            case StringValueSyntax s:
                return new TomlValueNode(line, column, s.Value ?? string.Empty, "string");
            case IntegerValueSyntax i:
                return new TomlValueNode(line, column, i.Value, "integer");
            case BooleanValueSyntax b:
                return new TomlValueNode(line, column, b.Value, "boolean");
            case FloatValueSyntax f:
                return new TomlValueNode(line, column, f.Value, "float");
            case DateTimeValueSyntax d:
                return new TomlValueNode(line, column, d.Value.ToString(), "date-time");
            case ArraySyntax a:
                var items = new List<TomlNode>();
                foreach (ArrayItemSyntax item in a.Items)
                {
                    if (item.Value is not null && Convert(item.Value) is { } converted)
                    {
                        items.Add(converted);
                    }
                }

                return new TomlArrayNode(line, column, items);
            case InlineTableSyntax t:
                var table = new TomlTableNode(line, column);
                foreach (InlineTableItemSyntax item in t.Items)
                {
                    if (item.KeyValue is not null)
                    {
                        AddKeyValue(table, item.KeyValue);
                    }
                }

                return table;
            default:
                return null;
        }
    }

    private static List<string> KeyParts(KeySyntax key)
    {
        var parts = new List<string> { Name(key.Key) };
        foreach (DottedKeyItemSyntax dotted in key.DotKeys)
        {
            parts.Add(Name(dotted.Key));
        }

        return parts;
    }

    private static string Name(BareKeyOrStringValueSyntax? key) => key switch
    {
        BareKeySyntax bare => bare.Key?.Text ?? string.Empty,
        StringValueSyntax quoted => quoted.Value ?? string.Empty,
        _ => string.Empty,
    };

    /// <summary>Tomlyn counts from 0; people count from 1.</summary>
    public static (int Line, int Column) Position(SourceSpan span) => (span.Start.Line + 1, span.Start.Column + 1);
}
