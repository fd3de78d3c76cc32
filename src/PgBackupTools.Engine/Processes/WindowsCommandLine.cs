using System.Collections;
using System.Text;

namespace PgBackupTools.Engine.Processes;

/// <summary>
/// What CreateProcessW takes instead of an argument list and a dictionary: one command line that the child's C runtime
/// (CommandLineToArgvW rules) splits back into exactly the arguments given, and a sorted environment block.
/// </summary>
public static class WindowsCommandLine
{
    /// <summary>The program (quoted, never escaped: argv[0] is read up to the next quote) followed by every argument.</summary>
    public static string Build(string program, IEnumerable<string> arguments)
    {
        if (program.Contains('"'))
        {
            throw new ArgumentException($"A Windows program path cannot contain a double quote: {program}", nameof(program));
        }

        var line = new StringBuilder().Append('"').Append(program).Append('"');
        foreach (var argument in arguments)
        {
            line.Append(' ');
            AppendArgument(line, argument);
        }

        return line.ToString();
    }

    /// <summary>
    /// Backslashes are literal except before a double quote; so a run of n backslashes before a quote (or before the
    /// closing quote we add) is doubled, and the quote itself escaped.
    /// </summary>
    public static void AppendArgument(StringBuilder line, string argument)
    {
        if (argument.Length > 0 && argument.IndexOfAny([' ', '\t', '\n', '\v', '"']) < 0)
        {
            line.Append(argument);
            return;
        }

        line.Append('"');
        var backslashes = 0;
        foreach (var c in argument)
        {
            if (c == '\\')
            {
                backslashes++;
                continue;
            }

            if (c == '"')
            {
                line.Append('\\', (2 * backslashes) + 1).Append('"');
            }
            else
            {
                line.Append('\\', backslashes).Append(c);
            }

            backslashes = 0;
        }

        line.Append('\\', 2 * backslashes).Append('"');
    }

    /// <summary>
    /// This process's environment with <paramref name="changes"/> applied (a null value removes a variable; names
    /// compare without case, as on Windows), as "NAME=value\0...\0\0", sorted by name as CreateProcess asks.
    /// </summary>
    public static string EnvironmentBlock(IDictionary inherited, IReadOnlyDictionary<string, string?> changes)
    {
        var variables = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in inherited)
        {
            if (entry.Key is string name && name.Length > 0 && !name.StartsWith('=') && entry.Value is string value)
            {
                variables[name] = value;
            }
        }

        foreach (var (name, value) in changes)
        {
            if (name.Length == 0 || name.Contains('=') || name.Contains('\0') || value?.Contains('\0') == true)
            {
                throw new ArgumentException($"Not a valid environment variable: '{name}'.", nameof(changes));
            }

            if (value is null)
            {
                variables.Remove(name);
            }
            else
            {
                variables[name] = value;
            }
        }

        var block = new StringBuilder();
        foreach (var (name, value) in variables)
        {
            block.Append(name).Append('=').Append(value).Append('\0');
        }

        // An empty block is still two NULs.
        return block.Append(variables.Count == 0 ? "\0\0" : "\0").ToString();
    }
}
