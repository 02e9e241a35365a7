using System.Globalization;

namespace Serverless.Bench.Support;

public static class Format
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Ms(double milliseconds) => milliseconds.ToString(milliseconds < 10 ? "0.00" : "0.0", Invariant) + " ms";

    public static string Us(double microseconds) => microseconds.ToString("0.0", Invariant) + " µs";

    public static string Mb(double bytes) => (bytes / (1024 * 1024)).ToString("0.0", Invariant) + " MB";

    public static string Bytes(double bytes) => bytes < 10 * 1024
        ? bytes.ToString("0", Invariant) + " B"
        : (bytes / 1024).ToString("0.0", Invariant) + " KB";

    public static string Rate(double perSecond, string unit) => perSecond.ToString("#,0", Invariant) + " " + unit + "/s";

    public static string Count(long n) => n.ToString("#,0", Invariant);

    public static string Ratio(double ratio) => ratio.ToString("0.00", Invariant);
}
