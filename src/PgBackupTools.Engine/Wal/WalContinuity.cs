namespace PgBackupTools.Engine.Wal;

/// <summary>What the archive holds along one timeline's history: where it is complete and where it is not.</summary>
public sealed record WalContinuityReport(
    WalFileName? Oldest,
    WalFileName? Newest,
    IReadOnlyList<WalGap> Gaps,
    ulong SegmentCount)
{
    public bool IsContinuous => Gaps.Count == 0;
}

/// <summary>
/// Finds the segments recovery would need but the archive lacks. Recovery walks segment numbers upwards and
/// takes each from the timeline the history assigns it, so that is the walk made here.
/// </summary>
public static class WalContinuity
{
    /// <param name="present">Every segment name in the archive (other kinds are ignored).</param>
    /// <param name="history">The history of the timeline recovery would follow (usually the newest).</param>
    /// <param name="from">Start at this segment number (a base backup's start); the oldest present when null.</param>
    /// <param name="through">Check up to this segment number; the newest present on the history when null.</param>
    public static WalContinuityReport Check(
        IEnumerable<WalFileName> present, TimelineHistory history, int segmentSize, ulong? from = null, ulong? through = null)
    {
        var onHistory = new HashSet<(uint, ulong)>();
        ulong? lowest = null;
        ulong? highest = null;
        foreach (var name in present)
        {
            if (name.Kind != WalFileKind.Segment || history.TimelineOf(name.SegmentNumber, segmentSize) != name.Timeline)
            {
                continue;
            }

            onHistory.Add((name.Timeline, name.SegmentNumber));
            lowest = lowest is null ? name.SegmentNumber : Math.Min(lowest.Value, name.SegmentNumber);
            highest = highest is null ? name.SegmentNumber : Math.Max(highest.Value, name.SegmentNumber);
        }

        var start = from ?? lowest;
        var end = through ?? highest;
        var gaps = new List<WalGap>();
        ulong count = 0;
        WalFileName? oldest = null;
        WalFileName? newest = null;
        if (start is null || end is null || end < start)
        {
            return new WalContinuityReport(null, null, gaps, 0);
        }

        WalFileName? gapStart = null;
        ulong gapLength = 0;
        for (var segment = start.Value; segment <= end.Value; segment++)
        {
            var timeline = history.TimelineOf(segment, segmentSize);
            var name = WalFileName.Segment(timeline, segment, segmentSize);
            if (onHistory.Contains((timeline, segment)))
            {
                if (gapStart is not null)
                {
                    gaps.Add(new WalGap(gapStart, WalFileName.Segment(history.TimelineOf(segment - 1, segmentSize), segment - 1, segmentSize), gapLength));
                    gapStart = null;
                    gapLength = 0;
                }

                oldest ??= name;
                newest = name;
                count++;
            }
            else
            {
                gapStart ??= name;
                gapLength++;
            }

            if (segment == ulong.MaxValue)
            {
                break;
            }
        }

        if (gapStart is not null)
        {
            gaps.Add(new WalGap(gapStart, WalFileName.Segment(history.TimelineOf(end.Value, segmentSize), end.Value, segmentSize), gapLength));
        }

        return new WalContinuityReport(oldest, newest, gaps, count);
    }
}
