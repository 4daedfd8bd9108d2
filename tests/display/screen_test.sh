#!/usr/bin/env bash
# The screen and the keyboard (docs/display.md).
# Usage: screen_test.sh BUILD_DIR events|badmode|restart|same-screen|window|client
#   events       keys and mouse moves from --keys reach the input service's log, and the keys
#                the shell on /dev/tty1 (arrows, Ctrl, Shift); the mouse's moves in packets
#   badmode      modes the adapter cannot show are refused with an error; one it can is set
#   restart      the display service killed and restarted draws the same screen again
#   same-screen  the same keys typed on the sim (--keys) and on the pc kernel under QEMU
#                (sendkey on its monitor): the screenshots are equal pixel for pixel
#   window       --display=sdl under Xvfb: the window shows the screen --screenshot writes;
#                closing the window shuts the system down
#   client       examples/draw borrows the framebuffer and follows the mouse; the console comes
#                back when it ends, and when it is killed holding the screen
#   window-record  keys typed into the --display=sdl window under Xvfb (XTEST) are recorded
#                (--record), and the replay gives the machine the same keys at the same points:
#                the same output, byte for byte, without a key typed
set -uo pipefail

build=$1 case=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
sim=$build/eclipse-sim
tmp=$(mktemp -d)
qemu_pid=
trap '[[ -n $qemu_pid ]] && kill -9 "$qemu_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# expect_line FILE REGEX: a whole line of FILE matches.
expect_line() {
	grep -Eqx -- "$2" "$1" || fail "no line matching '$2' in $(basename "$1")"
}

show() {
	echo "--- $1:"
	cat "$1"
}

png() {
	python3 "$here/png.py" "$@"
}

# The text both machines type in same-screen: --keys' escapes (\n Enter, \\ a backslash).
readonly TEXT1='echo hello, screen\n'
readonly TEXT2="printf '\\\\e[1;31mred\\\\e[0m \\\\e[7mreverse\\\\e[0m \\\\e[44;33m blue \\\\e[0m\\\\n'\\n"
readonly TEXT3='ls /\n'

case $case in
events)
	cat >"$tmp/keys" <<'KEYS'
# the shell on the screen writes "xzy": an arrow moves back, Ctrl-E to the end
3s type echo xy
3s key left
3s type z
3s key ctrl+e
3s type  > /tmp/typed\n
3s type echo "$((6*7)) Hello, World! ~|<>" >> /tmp/typed\n
3s mouse 10 5 left
3s mouse 300 0
3s mouse 0 0
KEYS
	timeout 120 "$sim" --image="$build/tests/display/events.cpio" --max-time=14s --quiet \
		--keys="$tmp/keys" </dev/null >"$tmp/out" 2>&1
	expect_line "$tmp/out" "input: i8042: keyboard and mouse, typing into /dev/tty1"
	expect_line "$tmp/out" "typed: xzy"
	expect_line "$tmp/out" 'typed: 42 Hello, World! ~\|<>'
	expect_line "$tmp/out" "input: key left \(105\) pressed"
	expect_line "$tmp/out" "input: key leftctrl \(29\) pressed"
	expect_line "$tmp/out" "input: key leftshift \(42\) released"
	pressed=$(grep -c "^input: key .* pressed$" "$tmp/out")
	released=$(grep -c "^input: key .* released$" "$tmp/out")
	((pressed > 60 && pressed == released)) || fail "$pressed keys pressed, $released released"
	grep "^input: mouse" "$tmp/out" >"$tmp/mouse"
	printf 'input: mouse +10 +5 left\ninput: mouse +127 +0\ninput: mouse +127 +0\ninput: mouse +46 +0\ninput: mouse +0 +0\n' >"$tmp/mouse.want"
	diff -u "$tmp/mouse.want" "$tmp/mouse" || fail "the mouse's packets"
	((failures)) && show "$tmp/out"
	;;
badmode)
	# mode_boot MODE: boots with the display service asking for MODE; $tmp/MODE.out, .png.
	mode_boot() {
		timeout 120 "$sim" --image="$build/tests/display/mode-$1.cpio" --max-time=3s --quiet \
			--screenshot="$tmp/$1.png" </dev/null >"$tmp/$1.out" 2>&1
	}
	for mode in 20000x600x32 800x600x16 4096x4096x32 big 800x600x32; do
		mode_boot $mode
	done
	expect_line "$tmp/20000x600x32.out" "display: mode 20000x600x32 refused: out of the adapter's range \(a width a multiple of 8\) \(the adapter: at most 16000x12000x32, 16384 KiB\)"
	expect_line "$tmp/800x600x16.out" "display: mode 800x600x16 refused: only 32 bits per pixel are drawn .*"
	expect_line "$tmp/4096x4096x32.out" "display: mode 4096x4096x32 refused: more than the adapter's video memory .*"
	for mode in 20000x600x32 800x600x16 4096x4096x32; do
		expect_line "$tmp/$mode.out" "init: display \(pid [0-9]+\) exited with status 1 after .*"
		png info "$tmp/$mode.png" | grep -q "^640x480, 0 pixels" ||
			fail "$mode: the screen is not the adapter's blank power-on one"
	done
	expect_line "$tmp/big.out" "display: bad mode 'big' \(expected WIDTHxHEIGHTxBPP, like 1024x768x32\)"
	expect_line "$tmp/big.out" "init: display \(pid [0-9]+\) exited with status 2 after .*"
	expect_line "$tmp/800x600x32.out" "display: 800x600x32 on the display adapter; /dev/tty1 drawn as 100x37 text"
	png info "$tmp/800x600x32.png" | grep -q "^800x600," ||
		fail "the screen is not 800x600: $(png info "$tmp/800x600x32.png")"
	if ((failures)); then
		for f in "$tmp"/*.out; do show "$f"; done
	fi
	;;
restart)
	printf '4s type echo before the restart\\n\n' >"$tmp/keys"
	timeout 120 "$sim" --image="$build/boot.cpio" --shell --max-time=13s --quiet \
		--keys="$tmp/keys" --screenshot="$tmp/before.png@6500ms" \
		--screenshot="$tmp/after.png@12s" >"$tmp/out" 2>&1 <<'COMMANDS'
sleep 6
kill -KILL $(pidof display)
sleep 4
dmesg | grep -c "drawn as 128x48 text"
COMMANDS
	expect_line "$tmp/out" "2"
	png info "$tmp/before.png" | grep -Eq "^1024x768, [1-9][0-9]{3,} pixels" ||
		fail "nothing on the screen before the restart: $(png info "$tmp/before.png")"
	png same "$tmp/before.png" "$tmp/after.png" || fail "the screen differs after the restart"
	((failures)) && show "$tmp/out"
	;;
client)
	# draw paints a gradient and a white pointer square, starting at the centre (320,240).
	pixel() { png pixel "$tmp/$1.png" "$2" "$3"; }
	cat >"$tmp/keys" <<'KEYS'
3s type draw --seconds=4 > /tmp/typed\n
7s mouse 100 50
7500ms mouse 20 10
KEYS
	timeout 120 "$sim" --image="$build/tests/display/events.cpio" --max-time=14s --quiet \
		--keys="$tmp/keys" --screenshot="$tmp/drawing.png@8s" --screenshot="$tmp/after.png@13s" \
		</dev/null >"$tmp/out" 2>&1
	expect_line "$tmp/out" "typed: draw: 640x480, the pointer follows the mouse; Esc ends"
	expect_line "$tmp/out" "typed: draw: the pointer ended at 440,300 after 2 moves"
	[[ $(pixel drawing 445 305) == ffffff ]] || fail "no pointer at 440,300 while drawing"
	[[ $(pixel drawing 10 10) == 030540 ]] || fail "no gradient while drawing: $(pixel drawing 10 10)"
	[[ $(pixel after 445 305) == 000000 && $(pixel after 10 10) == 000000 ]] ||
		fail "the console is not back after draw"
	png info "$tmp/after.png" | grep -Eq "^640x480, [1-9][0-9]{3,} pixels" || fail "no console text after draw"
	# Killed holding the screen: the console comes back, and the next client gets the screen.
	cat >"$tmp/keys" <<'KEYS'
3s type draw --seconds=100 & sleep 2; kill -9 $!; sleep 2; draw --seconds=1 > /tmp/typed\n
KEYS
	timeout 120 "$sim" --image="$build/tests/display/events.cpio" --max-time=16s --quiet \
		--keys="$tmp/keys" --screenshot="$tmp/killed.png@10s" </dev/null >"$tmp/out2" 2>&1
	expect_line "$tmp/out2" "typed: draw: the pointer ended at 320,240 after 0 moves"
	[[ $(pixel killed 325 245) == 000000 && $(pixel killed 10 10) == 000000 ]] ||
		fail "the console is not back after draw was killed"
	((failures)) && show "$tmp/out" && show "$tmp/out2"
	;;
window)
	command -v Xvfb >/dev/null || { echo "SKIP: no Xvfb (Debian: xvfb)"; exit 77; }
	mkdir "$tmp/fb"
	Xvfb -displayfd 3 -screen 0 1280x1024x24 -fbdir "$tmp/fb" -nolisten tcp 3>"$tmp/display" \
		>"$tmp/xvfb.out" 2>&1 &
	xvfb=$!
	for _ in $(seq 100); do [[ -s $tmp/display ]] && break; sleep 0.1; done
	export DISPLAY=:$(cat "$tmp/display")
	timeout 120 "$sim" --image="$build/boot.cpio" --shell --display=sdl --pace=real \
		--max-time=100s --quiet --screenshot="$tmp/sim.png@3s" >"$tmp/out" 2>&1 <<<'sleep 200' &
	run=$!
	# The screen is still once the shells are up: the window shows it from then on.
	found=
	for _ in $(seq 15); do
		sleep 1
		[[ -s $tmp/sim.png ]] || continue
		cp "$tmp/fb/Xvfb_screen0" "$tmp/screen.xwd"
		png inside "$tmp/sim.png" "$tmp/screen.xwd" >"$tmp/inside" && { found=1; break; }
	done
	# Closed as a window manager closes it: the system shuts down, long before --max-time.
	python3 "$here/x11_close.py" "Eclipse OS" || fail "no window to close"
	for _ in $(seq 300); do kill -0 "$run" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$run" 2>/dev/null; then
		fail "the system still runs 30 s after its window was closed"
		kill "$run"
	fi
	wait "$run"
	status=$?
	((status == 0)) || fail "eclipse-sim exited with $status after its window was closed"
	grep -q "^init: all services stopped; goodbye" "$tmp/out" || fail "init did not shut down"
	kill "$xvfb"
	wait "$xvfb" 2>/dev/null
	[[ -n $found ]] || fail "the window does not show the screen ($(cat "$tmp/inside" 2>/dev/null))"
	png info "$tmp/sim.png" | grep -Eq "^1024x768, [1-9][0-9]{3,} pixels" ||
		fail "nothing on the screen: $(png info "$tmp/sim.png")"
	((failures)) && show "$tmp/out"
	;;
window-record)
	command -v Xvfb >/dev/null || { echo "SKIP: no Xvfb (Debian: xvfb)"; exit 77; }
	Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp 3>"$tmp/display" >"$tmp/xvfb.out" 2>&1 &
	xvfb=$!
	for _ in $(seq 100); do [[ -s $tmp/display ]] && break; sleep 0.1; done
	export DISPLAY=:$(cat "$tmp/display")
	window_run() {
		timeout 120 "$sim" --image="$build/tests/display/events.cpio" --display=sdl --pace=real \
			--max-time=8s --quiet "$@" </dev/null 2>&1
	}
	window_run --record="$tmp/typed.rec" >"$tmp/out" &
	run=$!
	python3 "$here/x11_type.py" "Eclipse OS" 'xzy\n' || fail "no window to type into"
	wait "$run" || fail "the recording exited with $?"
	window_run --replay="$tmp/typed.rec" >"$tmp/replay.out" || fail "the replay exited with $?"
	kill "$xvfb"
	wait "$xvfb" 2>/dev/null
	expect_line "$tmp/out" "input: key z \(44\) pressed"
	expect_line "$tmp/out" "input: key enter \(28\) released"
	cmp -s "$tmp/out" "$tmp/replay.out" || fail "the replay's output differs: $(diff "$tmp/out" "$tmp/replay.out" | head -5)"
	((failures)) && show "$tmp/out"
	;;
same-screen)
	command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: no qemu-system-x86_64"; exit 77; }
	printf '4s type %s\n4s type %s\n4s type %s\n4s key up\n' "$TEXT1" "$TEXT2" "$TEXT3" >"$tmp/keys"
	timeout 120 "$sim" --image="$build/boot.cpio" --shell --max-time=16s --quiet \
		--keys="$tmp/keys" --screenshot="$tmp/sim.png@15s" >"$tmp/sim.out" 2>&1 <<<'sleep 100'
	# The pc kernel under QEMU: the keys once the console's shell is up (the screen's starts
	# before it), each sent on the monitor.
	mon=$tmp/monitor.sock
	qemu-system-x86_64 -nodefaults -no-user-config -display none -no-reboot -m 256M \
		-device VGA,addr=04.0,romfile= -serial "file:$tmp/pc.out" \
		-monitor "unix:$mon,server,nowait" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$build/eclipse-pc" -initrd "$build/boot.cpio" -append shell \
		</dev/null >"$tmp/qemu.out" 2>&1 &
	qemu_pid=$!
	for _ in $(seq 600); do
		grep -q 'root@eclipse:~# ' "$tmp/pc.out" 2>/dev/null && break
		sleep 0.1
	done
	grep -q 'root@eclipse:~# ' "$tmp/pc.out" || fail "the pc kernel's shell did not come up"
	sleep 2
	keys="python3 $here/qemu_keys.py $mon"
	$keys type "$TEXT1" && $keys type "$TEXT2" && $keys type "$TEXT3" && sleep 1 &&
		$keys key up || fail "QEMU's monitor"
	# The screen once it is still: a loaded machine may take a while to run and draw it all.
	for _ in $(seq 10); do
		sleep 1
		$keys screendump "$tmp/pc.png" || break
		png same "$tmp/sim.png" "$tmp/pc.png" >/dev/null && break
	done
	$keys quit
	for _ in $(seq 100); do
		kill -0 "$qemu_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$qemu_pid" 2>/dev/null
	wait "$qemu_pid" 2>/dev/null
	qemu_pid=
	png same "$tmp/sim.png" "$tmp/pc.png" || fail "the sim's screen and QEMU's differ"
	if ((failures)); then
		show "$tmp/sim.out"
		show "$tmp/pc.out"
		keep=${TMPDIR:-/tmp}/display-same-screen
		mkdir -p "$keep" && cp "$tmp/sim.png" "$tmp/pc.png" "$keep/" &&
			echo "(the two screenshots are in $keep)"
	fi
	;;
*)
	echo "usage: $0 BUILD_DIR events|badmode|restart|same-screen|window|client" >&2
	exit 2
	;;
esac
((failures == 0)) && echo "PASS: display $case"
((failures == 0))
