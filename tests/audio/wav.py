#!/usr/bin/env python3
"""What a WAV file of the sound card's holds (tests/audio/audio_test.sh).

usage: wav.py segments FILE   the sounds in FILE, one a line: start frame, frames, peak of the
                              left channel, its frequency (zero crossings), the right's peak
       wav.py power FILE START FRAMES FREQ...
                              the share of the left channel's power at each FREQ (Goertzel)
A sound is a run of frames between runs of 16 or more silent (all zero) frames.
"""
import math
import struct
import sys
import wave

QUIET_RUN = 16


def frames(path):
    with wave.open(path) as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 2:
            sys.exit(f"{path}: not 16-bit stereo")
        n = w.getnframes()
        s = struct.unpack(f"<{2 * n}h", w.readframes(n))
        return s[0::2], s[1::2], w.getframerate()


def segments(left, right):
    out, i, n = [], 0, len(left)
    while i < n:
        if left[i] == 0 and right[i] == 0:
            i += 1
            continue
        start, quiet, j = i, 0, i
        while j < n and quiet < QUIET_RUN:
            quiet = quiet + 1 if left[j] == 0 and right[j] == 0 else 0
            j += 1
        end = j - quiet
        out.append((start, end - start))
        i = j
    return out


def frequency(x, rate):
    crossings = [k for k in range(len(x) - 1) if (x[k] < 0) != (x[k + 1] < 0)]
    if len(crossings) < 3:
        return 0.0
    # Interpolated crossing instants: half periods between the first and the last.
    def at(k):
        return k + x[k] / (x[k] - x[k + 1])
    first, last = at(crossings[0]), at(crossings[-1])
    return (len(crossings) - 1) / 2 / ((last - first) / rate)


def goertzel_share(x, rate, f):
    w = 2 * math.pi * f / rate
    c = 2 * math.cos(w)
    s1 = s2 = 0.0
    for v in x:
        s1, s2 = v + c * s1 - s2, s1
    power = s1 * s1 + s2 * s2 - c * s1 * s2
    total = sum(v * v for v in x) * len(x) / 2
    return power / total if total else 0.0


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "segments":
        left, right, rate = frames(sys.argv[2])
        for start, n in segments(left, right):
            seg_l, seg_r = left[start:start + n], right[start:start + n]
            print(start, n, max(abs(v) for v in seg_l), f"{frequency(seg_l, rate):.2f}",
                  max(abs(v) for v in seg_r))
    elif len(sys.argv) >= 6 and sys.argv[1] == "power":
        left, _, rate = frames(sys.argv[2])
        start, n = int(sys.argv[3]), int(sys.argv[4])
        x = left[start:start + n]
        print(" ".join(f"{goertzel_share(x, rate, float(f)):.3f}" for f in sys.argv[5:]))
    else:
        sys.exit(__doc__)


main()
