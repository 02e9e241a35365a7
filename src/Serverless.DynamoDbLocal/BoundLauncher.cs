using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;

namespace Serverless.DynamoDbLocal;

/// <summary>
/// The launcher that starts DynamoDB Local on one address (<c>Launcher/BoundDynamoDbLocal.java</c>, embedded in this
/// assembly). It is compiled with <c>javac</c> once per version of its source into the cache, next to the emulator,
/// and its class file is checked against the digest written when it was compiled before each process first runs it.
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
        var classFile = Path.Combine(dir, MainClass + ".class");
        var digestFile = classFile + ".sha256";
        if (IsIntact(classFile, digestFile))
        {
            return dir;
        }

        // The install lock of the cache: test assemblies starting at once compile it once, not over each other.
        await using (await DynamoDbLocalPackage.AcquireLockAsync(Path.Combine(emulatorDir, "..", "..", ".install.lock"), ct))
        {
            if (IsIntact(classFile, digestFile))
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
                var compiled = Path.Combine(output, MainClass + ".class");
                await File.WriteAllTextAsync(Path.Combine(output, MainClass + ".class.sha256"), FileDigest(compiled), ct);
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

            return IsIntact(classFile, digestFile)
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

    private static bool IsIntact(string classFile, string digestFile) =>
        File.Exists(classFile)
        && File.Exists(digestFile)
        && string.Equals(File.ReadAllText(digestFile).Trim(), FileDigest(classFile), StringComparison.Ordinal);

    private static string FileDigest(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
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
