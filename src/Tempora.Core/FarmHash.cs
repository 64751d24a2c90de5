using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Tempora.Core;

/// <summary>
/// FarmHash's Fingerprint32 (the "mk" 32-bit hash Go's go-farm exposes), which Temporal applies to a workflow id to
/// decide whether it falls within a ramping version's percentage, and to a schedule's start time for its jitter. It
/// must be this exact function, so that ramps and jitter come out as on Temporal; checked against FarmHash's published
/// vectors in the tests. No package served here provides it.
/// </summary>
public static class FarmHash
{
    private const uint C1 = 0xcc9e2d51;
    private const uint C2 = 0x1b873593;

    public static uint Fingerprint32(string text) => Fingerprint32(Encoding.UTF8.GetBytes(text));

    public static uint Fingerprint32(ReadOnlySpan<byte> s)
    {
        var length = s.Length;
        if (length <= 4)
        {
            return UpTo4(s);
        }
        if (length <= 12)
        {
            return From5To12(s);
        }
        if (length <= 24)
        {
            return From13To24(s);
        }
        return Longer(s);
    }

    private static uint Word(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt32LittleEndian(s[at..]);

    private static uint Ror(uint value, int bits) => BitOperations.RotateRight(value, bits);

    /// <summary>Murmur3's finaliser.</summary>
    private static uint Mix(uint h)
    {
        h ^= h >> 16;
        h *= 0x85ebca6b;
        h ^= h >> 13;
        h *= 0xc2b2ae35;
        h ^= h >> 16;
        return h;
    }

    /// <summary>Murmur3's step folding one word into the state.</summary>
    private static uint Mur(uint a, uint h)
    {
        a = Ror(a * C1, 17) * C2;
        h = Ror(h ^ a, 19);
        return h * 5 + 0xe6546b64;
    }

    private static uint UpTo4(ReadOnlySpan<byte> s)
    {
        uint b = 0;
        uint c = 9;
        foreach (var octet in s)
        {
            b = b * C1 + (uint)(sbyte)octet; // FarmHash reads these bytes as signed chars
            c ^= b;
        }
        return Mix(Mur(b, Mur((uint)s.Length, c)));
    }

    private static uint From5To12(ReadOnlySpan<byte> s)
    {
        var length = s.Length;
        var a = (uint)length + Word(s, 0);
        var b = (uint)(length * 5) + Word(s, length - 4);
        var c = 9 + Word(s, (length >> 1) & 4);
        var d = (uint)(length * 5);
        return Mix(Mur(c, Mur(b, Mur(a, d))));
    }

    private static uint From13To24(ReadOnlySpan<byte> s)
    {
        var length = s.Length;
        var a = Word(s, (length >> 1) - 4);
        var b = Word(s, 4);
        var c = Word(s, length - 8);
        var d = Word(s, length >> 1);
        var e = Word(s, 0);
        var f = Word(s, length - 4);
        var h = d * C1 + (uint)length;
        a = Ror(a, 12) + f;
        h = Mur(c, h) + a;
        a = Ror(a, 3) + c;
        h = Mur(e, h) + a;
        a = Ror(a + f, 12) + d;
        h = Mur(b, h) + a;
        return Mix(h);
    }

    private static uint Scrambled(ReadOnlySpan<byte> s, int at) => Ror(Word(s, at) * C1, 17) * C2;

    private static uint Step(uint x, uint word) => Ror(x ^ word, 19) * 5 + 0xe6546b64;

    private static uint Longer(ReadOnlySpan<byte> s)
    {
        var length = s.Length;
        var h = (uint)length;
        var g = C1 * (uint)length;
        var f = g;
        h = Step(Step(h, Scrambled(s, length - 4)), Scrambled(s, length - 16));
        g = Step(Step(g, Scrambled(s, length - 8)), Scrambled(s, length - 12));
        f = Ror(f + Scrambled(s, length - 20), 19) + 113;
        while (s.Length > 20)
        {
            var a = Word(s, 0);
            var b = Word(s, 4);
            var c = Word(s, 8);
            var d = Word(s, 12);
            var e = Word(s, 16);
            h += a;
            g += b;
            f += c;
            h = Mur(d, h) + e;
            g = Mur(c, g) + a;
            f = Mur(b + e * C1, f) + d;
            f += g;
            g += f;
            s = s[20..];
        }
        g = Ror(Ror(g, 11) * C1, 17) * C1;
        f = Ror(Ror(f, 11) * C1, 17) * C1;
        h = Ror(h + g, 19) * 5 + 0xe6546b64;
        h = Ror(h, 17) * C1;
        h = Ror(h + f, 19) * 5 + 0xe6546b64;
        return Ror(h, 17) * C1;
    }
}
