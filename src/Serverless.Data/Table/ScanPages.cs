namespace Serverless.Data.Table;

/// <summary>
/// The page size of every Scan the project makes (the admin commands' counts and census, the migrations' counts, the
/// local TTL sweeper). DynamoDB stops a page at 1 MB either way; DynamoDB Local does not: a Scan without a Limit runs
/// its SQL with no LIMIT and reads every remaining item of the table into its heap before it cuts the page at 1 MB, so
/// a scan of a table of millions held them all (out of memory at 2 GB on the large seed scenario) and a scan page by
/// page read the table again for each page. With a Limit it reads at most that many.
/// </summary>
public static class ScanPages
{
    /// <summary>Items evaluated per page (before any filter): at the seed's average item size about 0.5 MB, under DynamoDB's 1 MB.</summary>
    public const int Limit = 1000;
}
