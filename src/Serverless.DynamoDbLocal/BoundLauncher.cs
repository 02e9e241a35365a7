using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;

namespace Serverless.DynamoDbLocal;

/// <summary>
/// The launcher that starts DynamoDB Local on one address (<c>Launcher/BoundDynamoDbLocal.java</c>, embedded in this
/// assembly). It is compiled with <c>javac</c> once per version of its source into the cache, next to the emulator,
/// and its class files (the launcher and its nested classes) are checked against the digest written when it was
/// compiled before each process first runs it.
/// </summary>
internal static class BoundLauncher
{
    public const string MainClass = "BoundDynamoDbLocal";

    private const string ResourceName = "Serverless.DynamoDbLocal.Launcher.BoundDynamoDbLocal.java";

    public static async Task<string> EnsureCompiledAsync(string emulatorDir, CancellationToken ct)
    {
        var source = ReadSource();
        var sourceHash = Convert.ToHexStringLower(SHA256.HashData(source))[..16];
        var dir = Path.GetFullPath(Path.Combine(emulatorDir, "..", $"launcher-{sourceHash}"));
        var digestFile = Path.Combine(dir, MainClass + ".class.sha256");
        if (IsIntact(dir, digestFile))
        {
            return dir;
        }

        // The install lock of the cache: test assemblies starting at once compile it once, not over each other.
        await using (await DynamoDbLocalPackage.AcquireLockAsync(Path.Combine(emulatorDir, "..", "..", ".install.lock"), ct))
        {
            if (IsIntact(dir, digestFile))
            {
                return dir;
            }

            var javac = ExecutableLocator.Require(
                "javac",
                $"a Java 17+ JDK (e.g. apt-get install -y openjdk-17-jdk-headless): it compiles the launcher that keeps DynamoDB Local on one address; or set {DynamoDbLocalOptions.BindVariable}={DynamoDbLocalOptions.AnyAddress} to run it as it comes, listening on every interface.");
            // Compiled in a folder of its own and moved into place, so a process running it never sees half a file.
            var work = Path.Combine(Path.GetDirectoryName(dir)!, $".launcher-{Guid.NewGuid():N}");
            Directory.CreateDirectory(work);
            try
            {
                var sourceFile = Path.Combine(work, MainClass + ".java");
                await File.WriteAllBytesAsync(sourceFile, source, ct);
                var output = Path.Combine(work, "classes");
                await RunAsync(javac, ["-nowarn", "-cp", Path.Combine(emulatorDir, "DynamoDBLocal.jar"), "-d", output, sourceFile], ct);
                await File.WriteAllTextAsync(Path.Combine(output, MainClass + ".class.sha256"), ClassesDigest(output), ct);
                if (Directory.Exists(dir))
                {
                    Directory.Delete(dir, recursive: true);
                }

                Directory.Move(output, dir);
            }
            finally
            {
                Directory.Delete(work, recursive: true);
            }

            return IsIntact(dir, digestFile)
                ? dir
                : throw new DynamoDbLocalException($"The DynamoDB Local launcher compiled into {dir} does not match its own digest.");
        }
    }

    private static byte[] ReadSource()
    {
        using var stream = typeof(BoundLauncher).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new DynamoDbLocalException($"{ResourceName} is not embedded in {typeof(BoundLauncher).Assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static bool IsIntact(string dir, string digestFile) =>
        File.Exists(Path.Combine(dir, MainClass + ".class"))
        && File.Exists(digestFile)
        && string.Equals(File.ReadAllText(digestFile).Trim(), ClassesDigest(dir), StringComparison.Ordinal);

    /// <summary>One digest over every class file of the folder, names and bytes, so no class can be changed, added or removed unseen.</summary>
    private static string ClassesDigest(string dir)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in Directory.GetFiles(dir, "*.class").Order(StringComparer.Ordinal))
        {
            var bytes = File.ReadAllBytes(file);
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{Path.GetFileName(file)}\n{bytes.Length}\n"));
            hash.AppendData(bytes);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        using var process = Process.Start(psi) ?? throw new DynamoDbLocalException($"Could not start {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new DynamoDbLocalException($"{Path.GetFileName(program)} could not compile the DynamoDB Local launcher (exit {process.ExitCode}): {(await stderr).Trim()} {(await stdout).Trim()}");
        }
    }
}
