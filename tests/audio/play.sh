# The guest's half of tests/audio/audio_test.sh: plays what the case says, then powers off.
# usage: sh /bin/play tone|mix|volume|wav|tune|ipc|restart|minute|idle
sleep 0.2
case $1 in
tone) tone 440 2 ;;
mix)
	tone -a 0.3 440 2 &
	tone -a 0.3 1000 2
	wait
	;;
volume)
	tone 440 0.5
	sleep 0.3
	tone -v 50 440 0.5
	sleep 0.3
	mixer 25
	tone 440 0.5
	;;
tune) tune ;;
ipc) tone -i -v 50 440 1 ;;
wav)
	tone -o /tmp/t.wav -r 22050 -c 1 440 1 && cat /tmp/t.wav >/dev/dsp
	;;
minute | idle) # make bench (bench/audio.sh): a minute of 48 kHz stereo, or of nothing
	[ "$1" = minute ] && tone 440 60 || sleep 60
	set -- "$1" $(cat /proc/$(pidof audio)/stat)
	echo "play: the audio service's CPU time: $((${15} + ${16}))0 ms"
	;;
restart)
	tone 440 3 &
	player=$!
	sleep 1
	killall -9 audio
	wait $player
	echo "play: tone ended with status $?"
	sleep 1
	tone 660 1
	echo "play: second tone ended with status $?"
	;;
esac
echo "play: $1 done"
sleep 0.5
poweroff
