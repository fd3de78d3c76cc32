using System.Collections;
using System.Text;
using FsCheck.Xunit;
using PgBackupTools.Engine.Processes;
using Xunit;

namespace PgBackupTools.Tests.Processes;

/// <summary>
/// The command line and environment block of a detached start on Windows. The round trip is checked against the
/// splitting rules of the Microsoft C runtime (CommandLineToArgvW), written out here from its documentation; the
/// Windows program itself (tests/PgBackupTools.WindowsChecks) checks the same on Windows.
/// </summary>
public class WindowsCommandLineTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a b", "\"a b\"")]
    [InlineData("", "\"\"")]
    [InlineData("c\"d", "\"c\\\"d\"")]
    [InlineData(@"e\", @"e\")]
    [InlineData(@"f\ g", "\"f\\ g\"")]
    [InlineData(@"h i\", "\"h i\\\\\"")]
    [InlineData("j\\\"k", "\"j\\\\\\\"k\"")]
    [InlineData(@"C:\Program Files\x\", "\"C:\\Program Files\\x\\\\\"")]
    [InlineData("100%", "100%")]
    public void QuotesAnArgumentOnlyAsMuchAsNeeded(string argument, string expected)
    {
        var line = new StringBuilder();
        WindowsCommandLine.AppendArgument(line, argument);
        Assert.Equal(expected, line.ToString());
    }

    [Fact]
    public void QuotesTheProgramWithoutEscaping()
    {
        Assert.Equal(
            "\"C:\\Program Files\\PgBackupTools\\bin\\win-x64\\pgbt-wal.exe\" stream --spool \"D:\\wal spool\\\\\"",
            WindowsCommandLine.Build(@"C:\Program Files\PgBackupTools\bin\win-x64\pgbt-wal.exe", ["stream", "--spool", @"D:\wal spool\"]));
        Assert.Throws<ArgumentException>(() => WindowsCommandLine.Build("a\"b.exe", []));
    }

    [Property(MaxTest = 2000)]
    public bool AnyArgumentsComeBackAsGiven(string[] arguments)
    {
        var clean = arguments.Select(a => (a ?? "").Replace("\0", "", StringComparison.Ordinal)).ToArray();
        var parsed = SplitLikeTheCRuntime(WindowsCommandLine.Build(@"C:\x\pgbt-wal.exe", clean));
        return parsed[0] == @"C:\x\pgbt-wal.exe" && parsed.Skip(1).SequenceEqual(clean);
    }

    [Fact]
    public void BuildsASortedEnvironmentBlockWithChangesApplied()
    {
        var inherited = new Hashtable
        {
            ["Path"] = @"C:\Windows",
            ["PGPASSWORD"] = "inherited secret",
            ["=C:"] = @"C:\work",
            ["b"] = "2",
        };
        var block = WindowsCommandLine.EnvironmentBlock(inherited, new Dictionary<string, string?>
        {
            ["pgpassword"] = null,
            ["PGPASSFILE"] = @"C:\spool\pgpass",
            ["A"] = "x=y",
            ["PATH"] = @"C:\pg\bin",
        });

        // Names compare without case (pgpassword removes PGPASSWORD, PATH replaces Path); drive variables are dropped.
        Assert.Equal("A=x=y\0b=2\0Path=C:\\pg\\bin\0PGPASSFILE=C:\\spool\\pgpass\0\0", block);
    }

    [Fact]
    public void AnEmptyEnvironmentBlockIsTwoNuls()
    {
        Assert.Equal("\0\0", WindowsCommandLine.EnvironmentBlock(new Hashtable(), new Dictionary<string, string?>()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("A=B")]
    [InlineData("A\0")]
    public void RefusesNamesWindowsCannotHold(string name)
    {
        Assert.Throws<ArgumentException>(() => WindowsCommandLine.EnvironmentBlock(new Hashtable(), new Dictionary<string, string?> { [name] = "v" }));
    }

    /// <summary>
    /// argv[0]: up to the next quote when it starts with one, else up to white space. Then: 2n backslashes and a
    /// quote are n backslashes and a toggle of quoting; 2n+1 and a quote are n and a literal quote; backslashes
    /// before anything else are literal; white space outside quotes ends an argument.
    /// </summary>
    private static List<string> SplitLikeTheCRuntime(string line)
    {
        var result = new List<string>();
        var i = 0;
        if (line[0] == '"')
        {
            var end = line.IndexOf('"', 1);
            result.Add(line[1..end]);
            i = end + 1;
        }

        while (true)
        {
            while (i < line.Length && line[i] is ' ' or '\t')
            {
                i++;
            }

            if (i >= line.Length)
            {
                return result;
            }

            var current = new StringBuilder();
            var quoted = false;
            while (i < line.Length && (quoted || line[i] is not (' ' or '\t')))
            {
                var backslashes = 0;
                while (i < line.Length && line[i] == '\\')
                {
                    backslashes++;
                    i++;
                }

                if (i < line.Length && line[i] == '"')
                {
                    current.Append('\\', backslashes / 2);
                    if (backslashes % 2 == 1)
                    {
                        current.Append('"');
                    }
                    else if (quoted && i + 1 < line.Length && line[i + 1] == '"')
                    {
                        current.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = !quoted;
                    }

                    i++;
                }
                else
                {
                    current.Append('\\', backslashes);
                    if (i < line.Length && (quoted || line[i] is not (' ' or '\t')))
                    {
                        current.Append(line[i]);
                        i++;
                    }
                }
            }

            result.Add(current.ToString());
        }
    }
}
