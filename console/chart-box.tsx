import { useEffect, useRef } from 'preact/hooks';

type Charts = typeof import('./charts.ts');

/** A chart drawn by the charts chunk, loaded on first use; redrawn when `deps` change. */
export function ChartBox(props: {
  id: string;
  draw: (c: Charts, el: HTMLElement) => { dispose(): void };
  ready: boolean;
  deps: unknown[];
}) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!props.ready || !el.current) return;
    const box = el.current;
    let disposed = false;
    let chart: { dispose(): void } | undefined;
    void import('./charts.ts').then((c) => {
      if (!disposed) chart = props.draw(c, box);
    });
    return () => {
      disposed = true;
      chart?.dispose();
    };
  }, [props.ready, ...props.deps]);
  return <div class="chart" id={props.id} ref={el} />;
}
