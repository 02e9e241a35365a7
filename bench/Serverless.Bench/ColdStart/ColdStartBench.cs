using System.Diagnostics;
using Serverless.Bench.Report;
using Serverless.Bench.Support;
using Serverless.Data;
using Serverless.Data.Privacy;
using Serverless.Data.Table;
using Serverless.Data.Users;

namespace Serverless.Bench.ColdStart;

/// <summary>
/// Process start to first 200 response, through a Runtime API emulator (the protocol Lambda uses), for the same
/// function built three ways (Native AOT, ReadyToRun, JIT) and for the floor program. Starts are interleaved so a
/// slow minute of the machine falls on every build alike.
/// </summary>
public static class ColdStartBench
{
    public const string Key = "cold-start";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    public static async Task<SectionResult> RunAsync(BenchContext context, CancellationToken ct)
    {
        var builds = context.Settings.BuildsDirectory;
        var variants = new Variant[]
        {
            new("Native AOT", Path.Combine(builds, "aot", "bootstrap")),
            new("ReadyToRun", Path.Combine(builds, "r2r", "bootstrap")),
            new("JIT", Path.Combine(builds, "jit", "bootstrap")),
            new("Floor (AOT, one GetItem)", Path.Combine(builds, "floor", "floor")),
            // Not a goal: the AOT build answering GET /health (no DynamoDB call), to tell app start-up from the SDK's first call.
            new("Native AOT, GET /health", Path.Combine(builds, "aot", "bootstrap"), "/health"),
        };
        foreach (var variant in variants.Where(v => !File.Exists(v.Executable)))
        {
            throw new InvalidOperationException($"{variant.Name}: {variant.Executable} is missing; bench/run publishes it first.");
        }

        // The API starts as on Lambda (Production), so its keyring is wrapped by a KMS key: moto's, standing for FieldKey.
        await using var kms = await MotoKms.StartAsync(ct);
        var table = await context.CreateTableAsync("coldstart", ct);
        var options = new TableOptions { TableName = table, CursorSigningKey = CursorKey };
        var user = await new UserRepository(new TableAccess(context.Client, options, TimeProvider.System, new KmsRootKey(kms.Client, kms.KeyArn)))
            .CreateAsync(BenchUsers.Create(1, DateTimeOffset.UtcNow), "bench", ct);
        var userPath = $"/users/{user.Id}";

        await using var emulator = await RuntimeApiEmulator.StartAsync(ct);
        var starts = context.Quick ? 3 : 12;

        // One start of each before measuring: the first exec of a file pays the page cache, not the runtime.
        foreach (var variant in variants)
        {
            await StartOnceAsync(variant, emulator, context, kms, table, variant.Path ?? userPath, ct);
        }

        for (var round = 0; round < starts; round++)
        {
            foreach (var variant in variants)
            {
                variant.Outcomes.Add(await StartOnceAsync(variant, emulator, context, kms, table, variant.Path ?? userPath, ct));
            }
        }

        await context.DropTableAsync(table, ct);
        return Summarise(variants, starts, context.Quick);
    }

    private const string CursorKey = "bench-cursor-signing-key: not a secret, benchmark only";

    private static async Task<ColdStartOutcome> StartOnceAsync(
        Variant variant, RuntimeApiEmulator emulator, BenchContext context, MotoKms kms, string table, string path, CancellationToken ct)
    {
        var session = emulator.Begin(ApiEvents.Get(path));
        var psi = new ProcessStartInfo(variant.Executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(variant.Executable)!,
        };

        // What template.yaml gives ApiFunction, pointed at this run's DynamoDB Local.
        var env = psi.Environment;
        env["AWS_LAMBDA_RUNTIME_API"] = emulator.HostAndPort;
        env["_HANDLER"] = "Api";
        env["AWS_LAMBDA_FUNCTION_NAME"] = "bench-ApiFunction";
        env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = "512";
        env["AWS_REGION"] = "us-east-1";
        env["AWS_ACCESS_KEY_ID"] = "local";
        env["AWS_SECRET_ACCESS_KEY"] = "local";
        env["DYNAMODB_ENDPOINT"] = context.ServiceUrl.ToString();
        env["TABLE_NAME"] = table;
        env["Table__TableName"] = table;
        env["Table__CursorSigningKey"] = CursorKey;
        env["Auth__TrustHostPrincipal"] = "true";
        env["Auth__Issuer"] = ApiEvents.Issuer;
        env["Auth__Audience"] = ApiEvents.Audience;
        env["SERVICE_NAME"] = "serverless";
        env["Privacy__KmsKeyId"] = kms.KeyArn;
        env[MotoKms.EndpointVariable] = kms.ServiceUrl.ToString();
        env.Remove("DOTNET_gcServer");
        env.Remove("DOTNET_ENVIRONMENT");
        env.Remove("ASPNETCORE_ENVIRONMENT");

        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        session.Clock.Start();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {variant.Executable}.");
        session.ProcessId = process.Id;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null && errors.Count < 20)
            {
                errors.Enqueue(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            var outcome = await session.Outcome.WaitAsync(StartTimeout, ct);
            var status = ApiEvents.StatusOf(outcome.Body);
            if (!outcome.Succeeded || status != 200)
            {
                throw new InvalidOperationException(
                    $"{variant.Name} answered {status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no status"}: "
                    + ApiEvents.Excerpt(outcome.Body) + " " + string.Join(" | ", errors));
            }

            return outcome;
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"{variant.Name} did not answer within {StartTimeout.TotalSeconds} s: " + string.Join(" | ", errors));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static SectionResult Summarise(Variant[] variants, int starts, bool quick)
    {
        var first = variants.ToDictionary(v => v.Name, v => new Stats(v.Outcomes.Select(o => o.FirstResponse.TotalMilliseconds)));
        var rss = variants.ToDictionary(v => v.Name, v => new Stats(v.Outcomes.Select(o => (double)o.PeakRssBytes)));
        var aot = first["Native AOT"].Median;
        var jit = first["JIT"].Median;
        var r2r = first["ReadyToRun"].Median;
        var floor = first["Floor (AOT, one GetItem)"].Median;
        var aotRss = rss["Native AOT"].Median;

        var section = new SectionResult
        {
            Key = Key,
            Title = "Cold start",
            Quick = quick,
            Method =
                $"Process start to the first response (HTTP API 2.0 `GET /users/{{id}}`, one consistent GetItem, answered 200; the API "
                + "in Production as template.yaml runs it, so the first read also unwraps the keyring with one KMS Decrypt, here moto's server "
                + $"on loopback) through a local Runtime API emulator speaking the Lambda protocol, {starts} starts per build after one unmeasured start each, "
                + "builds interleaved. The same ApiFunction published three ways, and the floor: a Native AOT program with a hand-written "
                + "Runtime API loop and one SDK GetItem, nothing else. Peak RSS is the process's VmHWM when its response arrived.",
            Rows =
            {
                new Row
                {
                    Measure = "Native AOT / JIT (first response, p50)",
                    Ours = Format.Ms(aot),
                    Baseline = Format.Ms(jit),
                    Ratio = aot / jit,
                    Goal = Goal.Max(0.15, "<= 0.15"),
                    Anchor = "AWS serverless-dotnet-demo (.NET 8, on Lambda): 322 ms AOT / 860 ms managed = 0.37",
                },
                new Row
                {
                    Measure = "Native AOT / floor (first response, p50)",
                    Ours = Format.Ms(aot),
                    Baseline = Format.Ms(floor),
                    Ratio = aot / floor,
                    Goal = Goal.Max(1.5, "<= 1.5"),
                },
                new Row
                {
                    Measure = "Native AOT / ReadyToRun (first response, p50)",
                    Ours = Format.Ms(aot),
                    Baseline = Format.Ms(r2r),
                    Ratio = aot / r2r,
                },
                new Row
                {
                    Measure = "Native AOT peak RSS (p50), MB",
                    Ours = Format.Mb(aotRss),
                    Baseline = Format.Mb(rss["Floor (AOT, one GetItem)"].Median) + " (floor)",
                    Ratio = aotRss / (1024 * 1024),
                    Goal = Goal.Max(MaxPeakRssMb, $"<= {MaxPeakRssMb} MB"),
                },
            },
        };

        if (aotRss / (1024 * 1024) > MaxPeakRssMb)
        {
            section.Notes.Add(MemoryBreakdown(rss, aotRss));
        }

        if (aot / floor > 1.5 || aot / jit > 0.15)
        {
            section.Notes.Add(Breakdown(variants));
        }

        foreach (var variant in variants)
        {
            var f = first[variant.Name];
            var init = new Stats(variant.Outcomes.Select(o => o.Init.TotalMilliseconds));
            section.Details.Add(
                $"{variant.Name}: first response p50 {Format.Ms(f.Median)}, min {Format.Ms(f.Min)}, p90 {Format.Ms(f.P90)}; "
                + $"init (start to first `next`) p50 {Format.Ms(init.Median)}; peak RSS p50 {Format.Mb(rss[variant.Name].Median)}; "
                + $"binary {Format.Mb(BinarySize(variant.Executable))}");
        }

        return section;
    }

    /// <summary>The performance issue's goal for the Native AOT build's peak resident memory at its first response.</summary>
    private const double MaxPeakRssMb = 40;

    /// <summary>Where the AOT build's peak memory goes, by subtraction of the medians of the builds measured in this run.</summary>
    private static string MemoryBreakdown(Dictionary<string, Stats> rss, double aotRss)
    {
        var floor = rss["Floor (AOT, one GetItem)"].Median;
        var health = rss["Native AOT, GET /health"].Median;
        return
            $"**Native AOT peak RSS** missed by {(aotRss / (1024 * 1024) / MaxPeakRssMb - 1) * 100:0} %: {Format.Mb(aotRss)} against {MaxPeakRssMb} MB. "
            + $"The floor (runtime, SDK client, one GetItem, no host) peaks at {Format.Mb(floor)}; the API answering `GET /health`, which "
            + $"makes no DynamoDB or KMS call, at {Format.Mb(health)}, so {Format.Mb(health - floor)} is the ASP.NET Core host and the app's "
            + $"services, routes and JSON metadata; the first read adds {Format.Mb(aotRss - health)}: the DynamoDB and KMS clients, the "
            + "keyring's unwrap and the first GetItem and its decryption.";
    }

    /// <summary>
    /// Where the AOT build's cold start goes, by subtraction of medians measured in this run: init (process start to
    /// the first <c>next</c>: runtime, host, DI, configuration), then the first invocation, split by the /health start
    /// into the app's first request (routing, auth, JSON) and the SDK's first call (client, signing, connection, GetItem).
    /// </summary>
    private static string Breakdown(Variant[] variants)
    {
        double Median(string name, Func<ColdStartOutcome, double> pick) => new Stats(variants.Single(v => v.Name == name).Outcomes.Select(pick)).Median;
        var init = Median("Native AOT", o => o.Init.TotalMilliseconds);
        var total = Median("Native AOT", o => o.FirstResponse.TotalMilliseconds);
        var healthInit = Median("Native AOT, GET /health", o => o.Init.TotalMilliseconds);
        var healthTotal = Median("Native AOT, GET /health", o => o.FirstResponse.TotalMilliseconds);
        var floorInit = Median("Floor (AOT, one GetItem)", o => o.Init.TotalMilliseconds);
        var floorTotal = Median("Floor (AOT, one GetItem)", o => o.FirstResponse.TotalMilliseconds);
        var appFirstRequest = healthTotal - healthInit;
        var sdkFirstCall = (total - init) - appFirstRequest;
        return
            $"Where the Native AOT cold start goes (medians of this run, by subtraction): init {Format.Ms(init)} against the floor's "
            + $"{Format.Ms(floorInit)}: building and starting the ASP.NET Core host (configuration, DI, logging, authentication, the routes "
            + $"of every resource); the first request of the app without DynamoDB (`GET /health`) {Format.Ms(appFirstRequest)}: the route "
            + $"table, middleware and JSON metadata built on first use; the SDK's first call {Format.Ms(sdkFirstCall)} against the floor's "
            + $"{Format.Ms(floorTotal - floorInit)} for its whole first invocation: the client, its configuration, signing and connection "
            + "set-up, which the floor pays too. The floor has no host at all, so the host's init is the part of the gap that is ours.";
    }

    private static double BinarySize(string executable)
    {
        // A framework-dependent build is the apphost plus its assemblies; count the folder for those.
        // Debug symbols are published beside the binary but never deployed.
        var dir = Path.GetDirectoryName(executable)!;
        return new DirectoryInfo(dir).EnumerateFiles("*", SearchOption.AllDirectories)
            .Where(f => f.Extension is not (".dbg" or ".pdb"))
            .Sum(f => f.Length);
    }

    private sealed record Variant(string Name, string Executable, string? Path = null)
    {
        public List<ColdStartOutcome> Outcomes { get; } = [];
    }
}
