using System.Globalization;

namespace PgBackupTools.Engine.Wal;

/// <summary>One line of a timeline history file: timeline <see cref="Timeline"/> ended at <see cref="SwitchPoint"/>.</summary>
public sealed record TimelineSwitch(uint Timeline, Lsn SwitchPoint, string Reason);

/// <summary>
/// The ancestry of a timeline, from its NNNNNNNN.history file: which timelines came before it and where each
/// one branched off. Recovery follows it to know which timeline each segment must come from.
/// </summary>
public sealed class TimelineHistory
{
    private TimelineHistory(uint timeline, IReadOnlyList<TimelineSwitch> switches)
    {
        Timeline = timeline;
        Switches = switches;
    }

    public uint Timeline { get; }

    /// <summary>Ancestors oldest first; empty for timeline 1.</summary>
    public IReadOnlyList<TimelineSwitch> Switches { get; }

    public static TimelineHistory Initial(uint timeline = 1) => new(timeline, []);

    public static TimelineHistory Parse(uint timeline, string text)
    {
        var switches = new List<TimelineSwitch>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var fields = line.Split('\t', 3);
            if (fields.Length < 2
                || !uint.TryParse(fields[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parent)
                || !Lsn.TryParse(fields[1].Trim(), out var switchPoint))
            {
                throw new FormatException($"Line '{line}' of {timeline:X8}.history is not 'timeline<TAB>switch point<TAB>reason'.");
            }

            if (parent >= timeline || (switches.Count > 0 && (parent <= switches[^1].Timeline || switchPoint < switches[^1].SwitchPoint)))
            {
                throw new FormatException($"{timeline:X8}.history lists timeline {parent} out of order.");
            }

            switches.Add(new TimelineSwitch(parent, switchPoint, fields.Length > 2 ? fields[2].Trim() : ""));
        }

        return new TimelineHistory(timeline, switches);
    }

    /// <summary>
    /// The timeline whose copy of segment <paramref name="segmentNumber"/> recovery replays. The segment that
    /// holds a switch point belongs to the newer timeline, which starts with a copy of it.
    /// </summary>
    public uint TimelineOf(ulong segmentNumber, int segmentSize)
    {
        foreach (var entry in Switches)
        {
            if (segmentNumber < entry.SwitchPoint.SegmentNumber(segmentSize))
            {
                return entry.Timeline;
            }
        }

        return Timeline;
    }

    /// <summary>The timelines on this history, oldest first, ending with <see cref="Timeline"/>.</summary>
    public IEnumerable<uint> Timelines => Switches.Select(s => s.Timeline).Append(Timeline);
}
