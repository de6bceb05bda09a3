using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Atlas.Benchmarks;

/// <summary>Input size and throughput (MB/s, 10^6 bytes per second of the mean) for each benchmark.</summary>
public sealed class ThroughputColumn : IColumn
{
    private readonly bool _size;

    private ThroughputColumn(bool size) => _size = size;

    public static readonly IColumn Throughput = new ThroughputColumn(size: false);
    public static readonly IColumn InputSize = new ThroughputColumn(size: true);

    public string Id => _size ? "AtlasInputSize" : "AtlasThroughput";
    public string ColumnName => _size ? "Input" : "MB/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => _size ? 0 : 1;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => _size ? "Size of the input file" : "Input megabytes (10^6 bytes) processed per second, from the mean";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        // Only the front-end benchmarks parse the one large input these columns describe.
        if (benchmarkCase.Descriptor.Type != typeof(FrontEndBenchmarks)) return "-";
        int bytes = Inputs.BytesFor(benchmarkCase.Descriptor.WorkloadMethod.Name);
        if (_size) return (bytes / 1_000_000.0).ToString("0.00", CultureInfo.InvariantCulture) + " MB";

        var statistics = summary[benchmarkCase]?.ResultStatistics;
        if (statistics is null || statistics.Mean <= 0) return "-";
        double seconds = statistics.Mean / 1e9; // Mean is in nanoseconds
        return (bytes / 1_000_000.0 / seconds).ToString("0.0", CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;
}
